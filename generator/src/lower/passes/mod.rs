//! Passes over the whole lowered API: checks that need every operation, and
//! fix-ups that need every type (open enums, boxing of recursive fields).

mod checks;
mod cycles;
mod directions;
mod lifecycle;
mod modules;

pub use checks::{
    check_deprecation, check_envelope, check_guards, check_pagination, drop_unknown_security,
};
pub use cycles::{box_large_union_variants, box_recursive_fields, break_impossible_cycles};
pub use directions::{mark_open_enums, mark_request_fields};
pub use lifecycle::apply_version_deprecation;
pub use modules::assign_modules;
