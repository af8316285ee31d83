//! The plan's data: what the emitters of a client method read.

use proc_macro2::TokenStream;

use crate::emit::typeref::TypeWriter;
use crate::ir::{Api, Operation, Parameter, TypeGroup};

/// Where the types crate is reached from the client's modules.
pub const TYPES_PATH: &str = "crate::types";

pub fn type_writer(api: &Api) -> TypeWriter<'_> {
    TypeWriter {
        api,
        module: TypeGroup::Model,
        types_path: Some(TYPES_PATH),
        file: None,
    }
}

/// One operation as the client calls it.
pub struct Plan<'a> {
    pub operation: &'a Operation,
    /// The method's name.
    pub method: String,
    /// The names of the stream and collect helpers, for paginated operations.
    pub helpers: Option<(String, String)>,
    /// Required parameters, in path, query, header, cookie order.
    pub arguments: Vec<Argument<'a>>,
    /// Optional parameters: the fields of the options struct.
    pub optional: Vec<Argument<'a>>,
    pub body: Option<BodyArgument>,
    pub success: Success,
    pub errors: Vec<ErrorVariant>,
    /// Set for paginated operations whose list bodies carry their pagination.
    pub walk: Option<Walk>,
}

pub struct Argument<'a> {
    pub parameter: &'a Parameter,
    /// The Rust name of the argument or field.
    pub name: proc_macro2::Ident,
    /// The type as a method argument (`&str`, `i64`) or a field (`Option<String>`).
    pub ty: TokenStream,
}

pub struct BodyArgument {
    pub name: proc_macro2::Ident,
    pub ty: TokenStream,
    pub required: bool,
    /// How the value becomes a request body.
    pub encode: TokenStream,
    /// The enum of the content types to choose from, when they take different values.
    pub enum_item: Option<TokenStream>,
}

/// What a successful call returns.
pub struct Success {
    pub ty: TokenStream,
    /// `status => decoder` arms of the success closure.
    pub arms: Vec<TokenStream>,
    /// The status and decoder function of the one success an operation
    /// declares, read without a closure.
    pub single: Option<(proc_macro2::Literal, TokenStream)>,
    /// An enum of the successes, when their bodies differ in type.
    pub enum_item: Option<TokenStream>,
}

/// One declared (or generated-layer) error status.
pub struct ErrorVariant {
    pub name: proc_macro2::Ident,
    pub docs: TokenStream,
    pub pattern: TokenStream,
    /// The body type, `None` for a response without one.
    pub ty: Option<TokenStream>,
    /// An `Option<Result<Self, _>>`: `None` when the body is not the expected one.
    pub decode: TokenStream,
    /// Whether the body is the error envelope's (`ErrorBody`).
    pub is_error_body: bool,
    /// An over-estimate of the body's size in bytes.
    pub size: usize,
}

/// What `ErrorBody` takes: two strings, a vector and an optional number.
pub(super) const ERROR_BODY_SIZE: usize = 3 * 24 + 16;

pub struct Walk {
    pub style: WalkStyle,
    /// The optional parameter the walk drives (`page`, `cursor`).
    pub position: proc_macro2::Ident,
    pub item: TokenStream,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum WalkStyle {
    Page,
    Cursor,
}
