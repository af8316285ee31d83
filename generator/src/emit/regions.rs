//! Optional regions of the copied runtime: lines between `// @if <name>`
//! and `// @end` are kept only when the API uses `<name>` (and every region
//! around them is kept), so a server without rate limits or idempotency
//! keys compiles none of their code.

/// `source` with the markers removed, and with the regions `enabled` rejects
/// removed together with the blank lines their removal leaves behind.
pub fn strip(source: &str, enabled: impl Fn(&str) -> bool) -> String {
    let mut kept: Vec<&str> = Vec::with_capacity(source.lines().count());
    // Whether each open region is enabled; regions nest.
    let mut open: Vec<bool> = Vec::new();
    for line in source.lines() {
        let marker = line.trim_start();
        if let Some(name) = marker.strip_prefix("// @if ") {
            open.push(enabled(name.trim()));
        } else if marker == "// @end" {
            open.pop();
        } else if open.iter().all(|&on| on) {
            kept.push(line);
        }
    }
    let mut out = String::with_capacity(source.len());
    for (index, line) in kept.iter().enumerate() {
        let blank = line.trim().is_empty();
        let previous_blank = index > 0 && kept[index - 1].trim().is_empty();
        let closes_block = kept
            .get(index + 1)
            .is_some_and(|next| next.trim_start().starts_with('}'));
        if blank && (previous_blank || closes_block) {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::strip;

    const SOURCE: &str = "use a;\n// @if state\nuse b;\n// @end\n\nstruct S {\n    x: u8,\n    // @if state\n    y: u8,\n    // @end\n}\n\nimpl S {\n    fn a() {}\n\n    // @if state\n    fn b() {}\n    // @end\n}\n\n// @if state\nfn c() {}\n\n// @end\nfn d() {}\n";

    #[test]
    fn keeps_enabled_regions_without_their_markers() {
        assert_eq!(
            strip(SOURCE, |_| true),
            "use a;\nuse b;\n\nstruct S {\n    x: u8,\n    y: u8,\n}\n\nimpl S {\n    fn a() {}\n\n    fn b() {}\n}\n\nfn c() {}\n\nfn d() {}\n"
        );
    }

    #[test]
    fn a_nested_region_is_kept_only_inside_a_kept_one() {
        let source = "a\n// @if outer\nb\n// @if inner\nc\n// @end\nd\n// @end\ne\n";
        assert_eq!(strip(source, |name| name == "outer"), "a\nb\nd\ne\n");
        assert_eq!(strip(source, |name| name == "inner"), "a\ne\n");
        assert_eq!(strip(source, |_| true), "a\nb\nc\nd\ne\n");
    }

    #[test]
    fn drops_disabled_regions_and_the_gaps_they_leave() {
        assert_eq!(
            strip(SOURCE, |_| false),
            "use a;\n\nstruct S {\n    x: u8,\n}\n\nimpl S {\n    fn a() {}\n}\n\nfn d() {}\n"
        );
    }
}
