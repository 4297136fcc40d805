//! Validation of the names users give: agent ids, branch names and repository-relative
//! paths or globs.

/// Checks an agent id (task and wave ids follow the same rule): 1 to 64 characters of
/// ASCII letters, digits, `-`, `_` or `.`, starting with a letter or digit, and usable as
/// one component of a git ref name (snapshot refs are named by agent and wave): no `..`,
/// not ending in `.` or `.lock`.
pub fn validate_agent_id(id: &str) -> Result<(), String> {
    let ref_ok = !id.contains("..") && !id.ends_with('.') && !id.ends_with(".lock");
    if id == super::message::ALL {
        return Err(format!(
            "'{id}' is reserved: messages to `all` go to every agent; choose another id"
        ));
    }
    if !is_stored_id(id) || !ref_ok {
        return Err(format!(
            "'{id}' is not a valid agent id; use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit, without '..' and not ending in '.' or '.lock' (e.g. backend-1)"
        ));
    }
    Ok(())
}

/// Whether `id` may name a file of the state (`agents/ID.toml`): the characters and length
/// of [`validate_agent_id`], which new ids must also pass. States written before the ref
/// rule keep reading.
pub fn is_stored_id(id: &str) -> bool {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let first_ok = id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    !id.is_empty() && id.len() <= 64 && first_ok && id.chars().all(ok_char)
}

/// Checks a branch name by git's rules for ref names (`git check-ref-format --branch`), and
/// also refuses a leading `-` (git would read it as an option) and a leading `refs/` (the
/// branch would be `refs/heads/refs/…`, a mistake for the ref it names).
pub fn validate_branch(name: &str) -> Result<(), String> {
    match branch_problem(name) {
        None => Ok(()),
        Some(why) => Err(format!(
            "'{}' is not a valid branch name ({why}); use a name git accepts, e.g. feature/auth",
            name.escape_debug()
        )),
    }
}

/// What is wrong with `name` as a branch name, if anything.
fn branch_problem(name: &str) -> Option<&'static str> {
    let bad_char = |c: char| c.is_control() || " ~^:?*[\\".contains(c);
    Some(if name.is_empty() {
        "it is empty"
    } else if name.starts_with('-') {
        "it starts with '-'"
    } else if name == "HEAD" || name == "@" {
        "it names HEAD"
    } else if name.starts_with("refs/") {
        "give it without refs/heads/ or refs/"
    } else if name.chars().any(bad_char) {
        "it holds a space, a control character or one of ~ ^ : ? * [ \\"
    } else if name.contains("..") || name.contains("@{") {
        "it holds '..' or '@{'"
    } else if name.ends_with('.') {
        "it ends with '.'"
    } else if name.split('/').any(str::is_empty) {
        "it starts or ends with '/' or holds '//'"
    } else if name
        .split('/')
        .any(|part| part.starts_with('.') || part.ends_with(".lock"))
    {
        "a part of it starts with '.' or ends with '.lock'"
    } else {
        return None;
    })
}

/// `path` with `.` and `..` resolved without touching the file system (`a/./b/../c` →
/// `a/c`), so one place has one name.
pub fn lexical_path(path: &std::path::Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Normalises a deliverable: one file, repository-relative (not a glob, not a directory).
pub fn normalize_deliverable(raw: &str) -> Result<String, String> {
    let normal = normalize_pattern(raw)?;
    if normal.contains(['*', '?', '[']) || normal.ends_with("/**") {
        return Err(format!(
            "deliverable '{raw}' is a glob or a directory; name a file"
        ));
    }
    Ok(normal)
}

/// Normalises a repository-relative path or glob given by a user: strips `./`, collapses
/// `//`, refuses `..`, absolute paths, empty names and control characters.
/// A trailing `/` (a directory) becomes `dir/**`.
pub fn normalize_pattern(raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Err(
            "an empty path was given; name a file, directory or glob inside the repository".into(),
        );
    }
    if raw.chars().any(|c| c == '\0' || c == '\n' || c == '\r') {
        return Err(format!(
            "the path {raw:?} contains a NUL or newline character; name a path without them"
        ));
    }
    if raw.starts_with('/') {
        return Err(format!(
            "'{raw}' is an absolute path; give it relative to the repository root"
        ));
    }
    let is_dir = raw.ends_with('/');
    let mut parts: Vec<&str> = Vec::new();
    // `..` is resolved by the name alone, as git resolves a pathspec: `s/../top.txt` is
    // `top.txt`; only a path that climbs above the root leaves the repository.
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.pop() {
                Some(glob) if glob.contains(['*', '?', '[']) => {
                    return Err(format!(
                        "'{raw}' has '..' after the glob '{glob}', which names no one directory; write the path without it"
                    ));
                }
                Some(_) => {}
                None => {
                    return Err(format!(
                        "'{raw}' leaves the repository; give a path inside it, relative to its root"
                    ));
                }
            },
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return Err(format!(
            "'{raw}' names the repository root itself; name a file, directory or glob inside it (e.g. '**' for everything)"
        ));
    }
    let mut out = parts.join("/");
    if is_dir && !out.ends_with("**") {
        out.push_str("/**");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_ids() {
        for good in ["a", "backend-1", "sec_lead.2", "A9"] {
            assert!(validate_agent_id(good).is_ok(), "{good}");
        }
        for bad in ["", "-x", ".x", "a b", "a/b", "é", &"x".repeat(65)] {
            assert!(validate_agent_id(bad).is_err(), "{bad}");
            assert!(!is_stored_id(bad), "{bad}");
        }
        // Not one component of a ref name: refused for new ids, still read when stored.
        for unsafe_ref in ["x.lock", "a..b", "W1."] {
            assert!(validate_agent_id(unsafe_ref).is_err(), "{unsafe_ref}");
            assert!(is_stored_id(unsafe_ref), "{unsafe_ref}");
        }
    }

    #[test]
    fn deliverables_name_one_file() {
        assert_eq!(
            normalize_deliverable("./src/a.rs").as_deref(),
            Ok("src/a.rs")
        );
        for bad in ["src/*.rs", "src/", "a?", "[ab]", "../x"] {
            assert!(normalize_deliverable(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn branch_names_follow_git() {
        for good in [
            "main",
            "feature/auth",
            "a.b",
            "release-1.0",
            "fix_2",
            "@x",
            "x@y",
            "é",
        ] {
            assert_eq!(validate_branch(good), Ok(()), "{good}");
        }
        let table = [
            ("", "it is empty"),
            ("--upload-pack=x", "starts with '-'"),
            ("-x..y", "starts with '-'"),
            ("HEAD", "names HEAD"),
            ("@", "names HEAD"),
            ("refs/heads/main", "without refs/heads/"),
            ("has space", "a space"),
            ("a\tb", "a control character"),
            ("a\u{7f}b", "a control character"),
            ("a~1", "one of"),
            ("a^", "one of"),
            ("a:b", "one of"),
            ("a?", "one of"),
            ("a*", "one of"),
            ("a[b", "one of"),
            ("a\\b", "one of"),
            ("a..b", "'..'"),
            ("a@{1}", "'@{'"),
            ("a.", "ends with '.'"),
            ("/a", "'//'"),
            ("a/", "'//'"),
            ("a//b", "'//'"),
            (".a", "starts with '.'"),
            ("a/.b", "starts with '.'"),
            ("a.lock", "'.lock'"),
            ("a.lock/b", "'.lock'"),
        ];
        for (name, why) in table {
            let message = validate_branch(name).expect_err(name);
            assert!(message.contains(why), "{name:?}: {message}");
            assert!(message.contains("is not a valid branch name"), "{message}");
        }
        assert!(
            validate_branch("a\nb")
                .expect_err("newline")
                .starts_with(r"'a\nb'")
        );
    }

    #[test]
    fn patterns() {
        let table = [
            ("src/a.rs", "src/a.rs"),
            ("./src//a.rs", "src/a.rs"),
            ("backend/", "backend/**"),
            ("backend/**", "backend/**"),
            ("a/./b", "a/b"),
        ];
        for (raw, want) in table {
            assert_eq!(normalize_pattern(raw).as_deref(), Ok(want), "{raw}");
        }
        for bad in [
            "",
            "../x",
            "a/../../x",
            "/etc/passwd",
            "a\0b",
            "a\nb",
            ".",
            "./",
        ] {
            assert!(normalize_pattern(bad).is_err(), "{bad:?}");
        }
    }
}
