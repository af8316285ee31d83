//! The `<name>-types` crate: models, parameters, validation and the operation list.

use std::collections::{BTreeSet, HashMap};

use quote::quote;

use super::models::{self, module_items};
use super::rust::{self, module_docs};
use super::typeref::{module_name, Imports, TypeWriter};
use super::{manifest, operations, regions, Context, CrateKind, Output};
use crate::ir::{TypeGroup, TypeId, TypeKind};

/// Copied verbatim: runtime code that does not depend on the spec.
const VALIDATION_RUNTIME: [(&str, &str); 3] = [
    (
        "src/validation/mod.rs",
        include_str!("../../../templates/types/validation/mod.rs"),
    ),
    (
        "src/validation/json.rs",
        include_str!("../../../templates/types/validation/json.rs"),
    ),
    (
        "src/validation/rules.rs",
        include_str!("../../../templates/types/validation/rules.rs"),
    ),
];
const DECODE_RUNTIME: &str = include_str!("../../../templates/types/decode.rs");
/// Copied verbatim when the API has string enums.
const ENUMS_RUNTIME: &str = include_str!("../../../templates/types/enums.rs");
/// Copied verbatim when the API has form bodies.
const FORM_RUNTIME: &str = include_str!("../../../templates/types/form.rs");

const DATE_TIME_RUNTIME: &str = include_str!("../../../templates/types/date_time.rs");

pub fn emit(context: &Context<'_>, output: &mut Output) {
    let kind = CrateKind::Types;
    let header = context.rust_header();
    let has = |group| context.api.types.iter().any(|t| t.group == group);
    let (has_models, has_params) = (has(TypeGroup::Model), has(TypeGroup::Params));
    let uses = manifest::Uses::of(context.api);
    let has_formats = uses.chrono || uses.uuid;
    // Multipart text parts are typed as form values are.
    let has_forms = context.api.has_form_bodies() || context.api.has_multipart_bodies();
    let open_enums = models::has_string_enum(context.api, true);
    let closed_enums = models::has_string_enum(context.api, false);
    let has_enums = open_enums || closed_enums;
    // Which date-time fields `date_time.rs` writes (`true` for optional ones).
    let date_time_fields: Vec<bool> = context
        .api
        .types
        .iter()
        .filter_map(|def| match &def.kind {
            TypeKind::Struct(s) => Some(s.fields.iter().filter_map(models::date_time_writer)),
            _ => None,
        })
        .flatten()
        .collect();
    let has_date_times = !date_time_fields.is_empty();
    let optional_date_times = date_time_fields.contains(&true);

    output.add(
        kind,
        context,
        "src/lib.rs",
        rust::render(
            lib_rs(
                context,
                Modules {
                    models: has_models,
                    params: has_params,
                    enums: has_enums,
                    form: has_forms,
                    formats: has_formats,
                    date_time: has_date_times,
                },
            ),
            &header,
        ),
    );
    // A spec without schemas gets no empty module to glob-import.
    for (group, present) in [
        (TypeGroup::Model, has_models),
        (TypeGroup::Params, has_params),
    ] {
        if !present {
            continue;
        }
        let mut declared = HashMap::new();
        let dir = module_name(group);
        if !context.api.modules.is_split() {
            let text = rust::render(module(context, group, None, &mut declared), &header);
            output.add(kind, context, &format!("src/{dir}.rs"), text);
            continue;
        }
        let files = files(context, group);
        for file in &files {
            let text = rust::render(module(context, group, Some(file), &mut declared), &header);
            output.add(kind, context, &format!("src/{dir}/{file}.rs"), text);
        }
        let text = rust::render(parent_module(context, group, &files), &header);
        output.add(kind, context, &format!("src/{dir}/mod.rs"), text);
    }
    if has_formats {
        output.add(
            kind,
            context,
            "src/formats.rs",
            rust::render(formats(&uses), &header),
        );
    }
    output.add(
        kind,
        context,
        "src/operations.rs",
        rust::render(operations::module(context), &header),
    );
    for (path, source) in VALIDATION_RUNTIME {
        output.add(kind, context, path, format!("{header}\n{source}"));
    }
    output.add(
        kind,
        context,
        "src/decode.rs",
        format!("{header}\n{DECODE_RUNTIME}"),
    );
    if has_enums {
        output.add(
            kind,
            context,
            "src/enums.rs",
            format!(
                "{header}\n{}",
                regions::strip(ENUMS_RUNTIME, |region| match region {
                    "open" => open_enums,
                    "closed" => closed_enums,
                    _ => unreachable!("the enums runtime has no region `{region}`"),
                })
            ),
        );
    }
    if has_date_times {
        let source = regions::strip(DATE_TIME_RUNTIME, |region| match region {
            "required" => date_time_fields.contains(&false),
            "optional" => optional_date_times,
            _ => unreachable!("the date-time writer has no region `{region}`"),
        });
        output.add(
            kind,
            context,
            "src/date_time.rs",
            format!("{header}\n{source}"),
        );
    }
    if has_forms {
        output.add(
            kind,
            context,
            "src/form.rs",
            format!("{header}\n{FORM_RUNTIME}"),
        );
    }
    output.add(
        kind,
        context,
        "Cargo.toml",
        manifest::types_cargo_toml(context),
    );
    output.add(
        kind,
        context,
        "README.md",
        manifest::readme(context, kind, has_params),
    );
}

/// Which optional modules the types crate has.
struct Modules {
    models: bool,
    params: bool,
    enums: bool,
    form: bool,
    formats: bool,
    date_time: bool,
}

fn lib_rs(context: &Context<'_>, modules: Modules) -> proc_macro2::TokenStream {
    let api = context.api;
    let mut text = format!(
        "Types of the {} (version {}), generated from `{}`.",
        context.api_name(),
        api.version,
        api.spec_file
    );
    if let Some(description) = &api.description {
        text.push_str("\n\n");
        text.push_str(description.trim());
    }
    let docs = module_docs(&text);
    let params = modules.params.then(|| {
        quote! {
            #[rustfmt::skip]
            pub mod params;
        }
    });
    let (models, use_models) = if modules.models {
        (
            quote! {
                #[rustfmt::skip]
                pub mod models;
            },
            quote! { pub use models::*; },
        )
    } else {
        (quote! {}, quote! {})
    };
    let form = modules.form.then(|| {
        quote! {
            #[rustfmt::skip]
            pub mod form;
        }
    });
    let enums = modules.enums.then(|| {
        quote! {
            #[rustfmt::skip]
            mod enums;
        }
    });
    let formats = modules.formats.then(|| {
        quote! {
            #[rustfmt::skip]
            mod formats;
        }
    });
    let date_time = modules.date_time.then(|| {
        quote! {
            #[rustfmt::skip]
            mod date_time;
        }
    });
    quote! {
        #docs

        #[rustfmt::skip]
        pub mod decode;
        #date_time
        #enums
        #form
        #formats
        #models
        #[rustfmt::skip]
        pub mod operations;
        #params
        #[rustfmt::skip]
        pub mod validation;

        pub use decode::{Decode, DecodeError};
        #use_models
        pub use validation::{FromJson, Validate, ValidationError, ValidationErrors};
    }
}

/// The modules a split group's types go in, sorted.
fn files<'a>(context: &Context<'a>, group: TypeGroup) -> Vec<&'a str> {
    let api = context.api;
    let files: BTreeSet<&str> = (0..api.types.len())
        .filter(|&index| api.types[index].group == group)
        .filter_map(|index| api.type_module(TypeId(index)))
        .collect();
    files.into_iter().collect()
}

/// The docs of a group's module.
fn group_docs(group: TypeGroup) -> &'static str {
    match group {
        TypeGroup::Model => "The schemas of the spec as Rust types.",
        TypeGroup::Params => "The parameters of each operation, one struct per operation.",
    }
}

/// `models/mod.rs` (or `params/mod.rs`) of a split group: its files, each
/// re-exported whole, so every type keeps its path.
fn parent_module(
    context: &Context<'_>,
    group: TypeGroup,
    files: &[&str],
) -> proc_macro2::TokenStream {
    let docs = module_docs(&format!(
        "{} One module per area of the API; `common` holds the types several areas use.",
        group_docs(group)
    ));
    let modules = rust::area_modules(files, true);
    let enum_error = (group == TypeGroup::Model && models::has_closed_enum(context.api))
        .then(models::parse_enum_error);
    quote! {
        #docs
        #modules
        #enum_error
    }
}

/// One group's module, or with `file` one file of a split group.
fn module(
    context: &Context<'_>,
    group: TypeGroup,
    file: Option<&str>,
    declared: &mut HashMap<String, TypeId>,
) -> proc_macro2::TokenStream {
    let writer = TypeWriter {
        api: context.api,
        module: group,
        types_path: None,
        file,
    };
    let mut imports = Imports::default();
    let docs = match file {
        None => module_docs(group_docs(group)),
        Some(file) => module_docs(&format!("The {} of the `{file}` area.", module_name(group))),
    };
    let enum_error =
        (file.is_none() && group == TypeGroup::Model && models::has_closed_enum(context.api))
            .then(models::parse_enum_error);
    let items = module_items(&writer, declared, &mut imports);
    let uses = imports.tokens();
    quote! {
        #docs
        #uses
        #items
        #enum_error
    }
}

/// `FromJson` and `Decode` for the string formats the API uses: a string
/// that parses.
fn formats(uses: &manifest::Uses) -> proc_macro2::TokenStream {
    let docs = module_docs("The string formats of the spec, checked as JSON by parsing them.");
    let format = |ty: proc_macro2::TokenStream, name: &str| {
        quote! {
            impl FromJson for #ty {
                fn check_json(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) {
                    if let Some(value) = json::string(value, path, errors) {
                        rules::format(path, value.parse::<#ty>().is_ok(), #name, errors);
                    }
                }
            }

            impl Decode for #ty {}
        }
    };
    let mut imports = Imports::default();
    for path in [
        "serde_json::Value",
        "crate::decode::Decode",
        "crate::validation::FromJson",
        "crate::validation::Path",
        "crate::validation::ValidationError",
        "crate::validation::json",
        "crate::validation::rules",
    ] {
        imports.add(path);
    }
    let chrono = uses.chrono.then(|| {
        imports.add("chrono::DateTime");
        imports.add("chrono::NaiveDate");
        imports.add("chrono::Utc");
        let date_time = format(quote! { DateTime<Utc> }, "date-time");
        let date = format(quote! { NaiveDate }, "date");
        quote! { #date_time #date }
    });
    let uuid = uses.uuid.then(|| {
        imports.add("uuid::Uuid");
        format(quote! { Uuid }, "uuid")
    });
    let uses = imports.tokens();
    quote! {
        #docs
        #uses
        #chrono
        #uuid
    }
}
