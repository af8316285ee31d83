//! A deprecated version (the root's `x-deprecation`) deprecates each
//! operation under its base path: those with servers of their own, such as
//! an unversioned `/health`, are not part of the version.

use crate::ir::Api;

pub fn apply_version_deprecation(api: &mut Api) {
    let Some(version) = api.extensions.deprecation.clone() else {
        return;
    };
    for operation in &mut api.operations {
        if operation.base_path != api.base_path {
            continue;
        }
        let extensions = &mut operation.extensions;
        extensions.version_deprecated = true;
        extensions.deprecated_at = extensions.deprecated_at.or(Some(version.deprecated_at));
        if extensions.sunset.is_none() {
            extensions.sunset = version.sunset.clone();
        }
        extensions.deprecation_link = version.link.clone();
    }
}
