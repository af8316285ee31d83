//! An operation's parameters, merged with its path's, and their struct.

use indexmap::IndexMap;
use openapiv3::{Parameter as OaParameter, ParameterSchemaOrContent, ReferenceOr};

use super::{component_name, parent_pointer, OperationLowering};
use crate::ir::{
    Field, Name, ObjectRules, ParamStyle, Parameter, ParameterLocation, Primitive, Schema,
    StructDef, TypeDef, TypeGroup, TypeId, TypeKind, TypeRef,
};
use crate::load::escape_segment;
use crate::naming::{self, Namespace};

impl<'a> OperationLowering<'a, '_> {
    /// Path parameters and the path's `{names}` must match: a declared one
    /// the path lacks can never be sent and is left out; a `{name}` nobody
    /// declared becomes a required string. Both with a warning.
    pub(super) fn match_path_template(
        &mut self,
        path: &str,
        parameters: &mut Vec<Parameter>,
        pointer: &str,
    ) {
        let template = template_names(path);
        parameters.retain(|parameter| {
            let kept = parameter.location != ParameterLocation::Path
                || template.contains(&parameter.name.wire.as_str());
            if !kept {
                self.types.warn(
                    format!(
                        "path parameter `{}` does not appear in the path `{path}`; it is left out",
                        parameter.name.wire
                    ),
                    &parameter.pointer,
                    &format!(
                        "add `{{{}}}` to the path, or remove the parameter",
                        parameter.name.wire
                    ),
                );
            }
            kept
        });
        for name in template {
            let declared = parameters
                .iter()
                .any(|p| p.location == ParameterLocation::Path && p.name.wire == name);
            if declared {
                continue;
            }
            self.types.warn(
                format!("`{{{name}}}` in the path has no parameter; it is generated as a required string"),
                pointer,
                &format!("declare `{name}` under the operation's `parameters` with `in: path`"),
            );
            let mut rust = naming::value_name(name);
            while parameters.iter().any(|p| p.name.rust == rust) {
                rust.push('_');
            }
            parameters.push(Parameter {
                name: Name {
                    rust,
                    wire: name.to_string(),
                },
                location: ParameterLocation::Path,
                style: ParamStyle::Comma,
                required: true,
                deprecated: false,
                docs: None,
                schema: Schema::of(TypeRef::Primitive(Primitive::String)),
                default: None,
                pointer: pointer.to_string(),
            });
        }
    }

    pub(super) fn lower_parameters(
        &mut self,
        operation: &'a openapiv3::Operation,
        shared: &'a [ReferenceOr<OaParameter>],
        pointer: &str,
        type_stem: &str,
    ) -> Vec<Parameter> {
        // Operation parameters override path-item ones with the same name and location.
        let mut merged: IndexMap<(String, ParameterLocation), (&'a OaParameter, String)> =
            IndexMap::new();
        let sources = [
            (shared, format!("{}/parameters", parent_pointer(pointer))),
            (&operation.parameters[..], format!("{pointer}/parameters")),
        ];
        for (list, list_pointer) in sources {
            for (index, parameter) in list.iter().enumerate() {
                let parameter_pointer = format!("{list_pointer}/{index}");
                let Some((parameter, parameter_pointer)) =
                    self.resolve_parameter(parameter, &parameter_pointer)
                else {
                    continue;
                };
                let data = parameter.parameter_data_ref();
                merged.insert(
                    (data.name.clone(), location_of(parameter)),
                    (parameter, parameter_pointer),
                );
            }
        }
        let mut names = Namespace::new();
        merged
            .into_iter()
            .map(|((wire, location), (parameter, parameter_pointer))| {
                let data = parameter.parameter_data_ref();
                let hint = format!("{type_stem}{}", naming::type_name(&wire));
                let schema = match &data.format {
                    ParameterSchemaOrContent::Schema(schema) => self.types.lower(
                        schema.into(),
                        &format!("{parameter_pointer}/schema"),
                        &hint,
                    ),
                    ParameterSchemaOrContent::Content(content) => self
                        .media_schema(content, &format!("{parameter_pointer}/content"), &hint)
                        .map(|(_, schema)| schema)
                        .unwrap_or_else(|| Schema::of(TypeRef::Any)),
                };
                let default = match &data.format {
                    ParameterSchemaOrContent::Schema(ReferenceOr::Item(item)) => {
                        item.schema_data.default.as_ref().and_then(|value| {
                            self.types.literal(
                                value,
                                &schema,
                                &format!("{parameter_pointer}/schema"),
                            )
                        })
                    }
                    _ => None,
                };
                Parameter {
                    name: Name {
                        rust: names.claim(&naming::value_name(&wire)),
                        wire,
                    },
                    location,
                    style: style_of(parameter),
                    required: data.required || location == ParameterLocation::Path,
                    deprecated: data.deprecated.unwrap_or(false),
                    docs: data.description.clone(),
                    schema,
                    default,
                    pointer: parameter_pointer,
                }
            })
            .collect()
    }

    fn resolve_parameter(
        &mut self,
        parameter: &'a ReferenceOr<OaParameter>,
        pointer: &str,
    ) -> Option<(&'a OaParameter, String)> {
        match parameter {
            ReferenceOr::Item(parameter) => Some((parameter, pointer.to_string())),
            ReferenceOr::Reference { reference } => {
                let name = component_name(reference, "parameters");
                let found = name.as_ref().and_then(|name| {
                    self.openapi
                        .components
                        .as_ref()
                        .and_then(|c| c.parameters.get(name))
                        .map(|p| {
                            (
                                p,
                                format!("#/components/parameters/{}", escape_segment(name)),
                            )
                        })
                });
                match found {
                    Some((ReferenceOr::Item(parameter), target)) => Some((parameter, target)),
                    Some((nested, target)) => self.resolve_parameter(nested, &target),
                    None => {
                        self.types.warn(
                            format!(
                                "`{reference}` does not name a parameter component; it is skipped"
                            ),
                            pointer,
                            "refer to a parameter under `components/parameters`",
                        );
                        None
                    }
                }
            }
        }
    }

    /// The operation's parameters as one struct in the types crate.
    pub(super) fn params_struct(
        &mut self,
        parameters: &[Parameter],
        type_stem: &str,
        pointer: &str,
    ) -> Option<TypeId> {
        if parameters.is_empty() {
            return None;
        }
        let fields = parameters
            .iter()
            .map(|parameter| Field {
                name: parameter.name.clone(),
                docs: parameter.docs.clone(),
                schema: parameter.schema.clone(),
                required: parameter.required,
                read_only: false,
                write_only: false,
                sensitive: false,
                one_way: false,
                explicit_null: false,
                deprecated: parameter.deprecated,
                default: parameter.default.clone(),
                boxed: false,
                pointer: parameter.pointer.clone(),
            })
            .collect();
        let docs = format!("The parameters of `{}`.", naming::value_name(type_stem));
        Some(
            self.types
                .add_struct(&format!("{type_stem}Params"), |name| TypeDef {
                    name,
                    docs: Some(docs),
                    kind: TypeKind::Struct(StructDef {
                        fields,
                        additional_properties: None,
                        rules: ObjectRules::default(),
                    }),
                    group: TypeGroup::Params,
                    pointer: format!("{pointer}/parameters"),
                }),
        )
    }
}

/// The `{name}`s of a path template, in order.
fn template_names(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

/// What `style` and `explode` (with their defaults) put on the wire.
fn style_of(parameter: &OaParameter) -> ParamStyle {
    use openapiv3::{PathStyle, QueryStyle};
    let explode = parameter.parameter_data_ref().explode;
    match parameter {
        OaParameter::Query { style, .. } => match style {
            QueryStyle::Form if explode.unwrap_or(true) => ParamStyle::Repeated,
            QueryStyle::Form => ParamStyle::Comma,
            QueryStyle::SpaceDelimited => ParamStyle::Space,
            QueryStyle::PipeDelimited => ParamStyle::Pipe,
            QueryStyle::DeepObject => ParamStyle::DeepObject,
        },
        OaParameter::Path { style, .. } => match style {
            PathStyle::Simple => ParamStyle::Comma,
            PathStyle::Label => ParamStyle::Label {
                explode: explode.unwrap_or(false),
            },
            PathStyle::Matrix => ParamStyle::Matrix {
                explode: explode.unwrap_or(false),
            },
        },
        OaParameter::Header { .. } | OaParameter::Cookie { .. } => ParamStyle::Comma,
    }
}

fn location_of(parameter: &OaParameter) -> ParameterLocation {
    match parameter {
        OaParameter::Query { .. } => ParameterLocation::Query,
        OaParameter::Header { .. } => ParameterLocation::Header,
        OaParameter::Path { .. } => ParameterLocation::Path,
        OaParameter::Cookie { .. } => ParameterLocation::Cookie,
    }
}
