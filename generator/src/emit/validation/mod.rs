//! `FromJson` impls: the spec's rules as checks of JSON, one `check_json` per type.
//!
//! A struct's check is a table of its properties, each with the check of its
//! value: a type's own `check_json` when the property has no rules of its
//! own, a closure with the rules when it does. `Validate` is derived from
//! these checks in the runtime, so the rules are written once.

mod json;
mod rules;
mod values;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::typeref::Imports;
use crate::ir::Api;
use crate::naming::Namespace;

pub struct ValidationWriter {
    /// Type names by id, for checks that call another type's checks.
    type_names: Vec<String>,
    /// (pattern, static name) in order of first use.
    patterns: Vec<(String, String)>,
    /// Whether the check being written calls into `validation::rules`.
    uses_rules: bool,
    pattern_names: Namespace,
}

impl ValidationWriter {
    pub fn new(api: &Api) -> Self {
        ValidationWriter {
            type_names: api.types.iter().map(|t| t.name.clone()).collect(),
            patterns: Vec::new(),
            uses_rules: false,
            pattern_names: Namespace::new(),
        }
    }

    /// A mark for [`Self::forget_patterns_since`]: how many regexes are registered.
    pub fn patterns_mark(&self) -> usize {
        self.patterns.len()
    }

    /// Forgets the regexes registered since `mark`: the items that used
    /// them were dropped (for an alias), so their statics would be unused.
    pub fn forget_patterns_since(&mut self, mark: usize) {
        self.patterns.truncate(mark);
    }

    /// What the module needs after its impls: compiled-once regexes.
    pub fn finish(&self, imports: &mut Imports) -> TokenStream {
        if self.patterns.is_empty() {
            return TokenStream::new();
        }
        imports.add("std::sync::LazyLock");
        imports.add("regex::Regex");
        let statics = self.patterns.iter().map(|(pattern, name)| {
            let name = format_ident!("{}", name);
            quote! {
                static #name: LazyLock<Regex> =
                    LazyLock::new(|| Regex::new(#pattern).expect("specforge checked this pattern"));
            }
        });
        quote! { #(#statics)* }
    }
}
