//! Tests of the state store on real repositories.
use super::*;
use crate::model::{Actor, Op};

/// A new repository (made by the real git) with a coordination state.
fn repo_with_state() -> (tempfile::TempDir, Repo) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let status = super::super::command::git(dir.path())
        .args(["init", "-q"])
        .status()
        .expect("git runs");
    assert!(status.success());
    let repo = Repo::discover(dir.path()).expect("the new repository opens");
    let record = Record {
        op: Op::Init,
        actor: Actor::User { name: "t".into() },
        at: jiff::Timestamp::UNIX_EPOCH,
        site: None,
    };
    repo.update(&record).expect("init writes the state");
    (dir, repo)
}

#[test]
fn a_moved_ref_and_a_held_lock_are_lost_races() {
    let (_dir, repo) = repo_with_state();
    let head = repo.state_head().expect("readable").expect("a state");
    // Expecting another value than the ref holds: gix reports a conflict.
    let stale = ObjectId::null(gix::hash::Kind::Sha1);
    assert_eq!(repo.compare_and_swap(Some(stale), head).ok(), Some(false));
    let other = repo.inner.write_blob(b"x").expect("write a blob").detach();
    assert_eq!(repo.compare_and_swap(None, other).ok(), Some(false));
    assert_eq!(repo.state_head().ok(), Some(Some(head)), "nothing moved");
    // Another writer holds the ref's lock file: retryable.
    let lock = repo.common_dir().join("refs/gitcoord/state.lock");
    std::fs::write(&lock, "").expect("write the lock file");
    assert_eq!(repo.compare_and_swap(Some(head), head).ok(), Some(false));
    std::fs::remove_file(&lock).expect("remove the lock file");
    assert_eq!(repo.compare_and_swap(Some(head), head).ok(), Some(true));
}

fn record(op: Op, at: &str) -> Record {
    Record {
        op,
        actor: Actor::User { name: "t".into() },
        at: at.parse().expect("a time"),
        site: None,
    }
}

fn tree_of(repo: &Repo) -> ObjectId {
    let head = repo.state_head().expect("readable").expect("a state");
    repo.inner
        .find_commit(head)
        .expect("the state commit")
        .tree_id()
        .expect("its tree")
        .detach()
}

#[test]
fn the_writer_caches_exactly_what_its_tree_parses_to() {
    let (_dir, repo) = repo_with_state();
    let agent = model::Agent {
        branch: "feature/ünï".into(),
        role: Some("why \"quoted\"\nand a second line".into()),
        owns: vec!["src/**".into()],
        added: "2026-03-01T12:00:00Z".parse().expect("a time"),
        ..model::Agent::default()
    };
    let add = Op::AgentAdd {
        id: "a.b-c".into(),
        agent: Box::new(agent),
    };
    repo.update(&record(add, "2026-03-01T12:00:00.25Z"))
        .expect("added");
    let halt = Op::Halt {
        reason: "stop".into(),
    };
    repo.update(&record(halt, "2026-03-01T12:00:01Z"))
        .expect("halted");
    let cached = state_cache::load(&repo.common_dir(), tree_of(&repo)).expect("cached");
    std::fs::remove_file(repo.common_dir().join("gitcoord-state-cache.json"))
        .expect("drop the cache");
    let head = repo.state_head().expect("readable").expect("a state");
    let parsed = repo
        .read_state_at(head, &Scope::core())
        .expect("the tree parses");
    assert_eq!(cached, parsed.state);
    assert_eq!(parsed.state.agents.len(), 1);
}

/// The blobs and trees of the state tree that are not in `before`'s.
fn new_objects(repo: &Repo, before: ObjectId, after: ObjectId) -> Vec<String> {
    let out = super::super::command::git(repo.workdir())
        .args(["diff-tree", "-r", "-t", "--name-only"])
        .arg(before.to_string())
        .arg(after.to_string())
        .output()
        .expect("git runs");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn an_operation_writes_only_the_files_it_changes_and_reads_only_its_scope() {
    let (_dir, repo) = repo_with_state();
    for (i, dir) in ["src/api", "src/web", "docs", "lib/x"].iter().enumerate() {
        let op = Op::Lock {
            patterns: vec![format!("{dir}/f{i}.rs"), format!("{dir}/g{i}.rs")],
            reason: None,
            ttl_secs: 3600,
            force: false,
        };
        repo.update(&record(op, "2026-03-01T12:00:00Z"))
            .expect("locked");
    }
    let top = Op::Lock {
        patterns: vec!["README.md".into()],
        reason: None,
        ttl_secs: 3600,
        force: false,
    };
    repo.update(&record(top, "2026-03-01T12:00:00Z"))
        .expect("locked");
    let before = tree_of(&repo);
    let op = Op::Lock {
        patterns: vec!["src/web/new.rs".into()],
        reason: None,
        ttl_secs: 3600,
        force: false,
    };
    repo.update(&record(op, "2026-03-01T12:01:00Z"))
        .expect("locked");
    let changed = new_objects(&repo, before, tree_of(&repo));
    assert_eq!(changed, ["locks", "locks/src", "locks/src/web.toml"]);

    let head = repo.state_head().expect("readable").expect("a state");
    let narrow = repo
        .read_state_at(head, &Scope::paths(["src/web/x.rs"]))
        .expect("readable");
    let mut patterns: Vec<&str> = narrow
        .state
        .locks
        .iter()
        .map(|l| l.pattern.as_str())
        .collect();
    patterns.sort_unstable();
    assert_eq!(
        patterns,
        [
            "README.md",
            "src/web/g1.rs",
            "src/web/new.rs",
            "src/web/f1.rs"
        ]
        .iter()
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
    let all = repo.read_state_at(head, &Scope::all()).expect("readable");
    assert_eq!(all.state.locks.len(), 10);
    let src = repo
        .read_state_at(head, &Scope::patterns(["src/**"]))
        .expect("readable");
    assert_eq!(src.state.locks.len(), 6, "src/api, src/web and the top");

    // A narrow snapshot cannot be used to write outside what it read.
    let far = Op::Unlock {
        patterns: vec!["docs/f2.rs".into()],
        force: false,
    };
    repo.update_from(Some(narrow), &record(far, "2026-03-01T12:02:00Z"))
        .expect("re-read in the operation's scope and released");
    let all = repo.read_state_at(repo.state_head().expect("r").expect("s"), &Scope::all());
    assert_eq!(all.expect("readable").state.locks.len(), 9);
}

/// A format-1 state commit made by hand: the files of that format, and an unknown one.
fn write_format_1(repo: &Repo) -> ObjectId {
    let files = [
        (
            "gitcoord.toml",
            "format = 1\ncreated = \"2026-03-01T12:00:00Z\"\nlast_message = 1\n",
        ),
        (
            "agents.toml",
            "[agent.api]\nbranch = \"feature/api\"\nowns = [\"api/**\"]\nadded = \"2026-03-01T12:00:00Z\"\n",
        ),
        (
            "locks.toml",
            "[[lock]]\npattern = \"api/x.rs\"\nholder = \"api\"\nacquired = \"2026-03-01T12:00:00Z\"\nexpires = \"2026-03-02T12:00:00Z\"\n\n[[lock]]\npattern = \"*.md\"\nholder = \"user:lead\"\nacquired = \"2026-03-01T12:00:00Z\"\nexpires = \"2026-03-01T12:00:01Z\"\n",
        ),
        (
            "messages.toml",
            "[[message]]\nid = \"m1\"\nfrom = \"user:lead\"\nto = \"api\"\nsubject = \"hi\"\nsent = \"2026-03-01T12:00:00Z\"\n",
        ),
        ("future.toml", "x = 1\n"),
    ];
    let mut entries: Vec<gix::objs::tree::Entry> = files
        .iter()
        .map(|(name, text)| gix::objs::tree::Entry {
            mode: gix::objs::tree::EntryKind::Blob.into(),
            filename: (*name).into(),
            oid: repo
                .inner
                .write_blob(text.as_bytes())
                .expect("blob")
                .detach(),
        })
        .collect();
    entries.sort();
    let tree = repo
        .inner
        .write_object(gix::objs::Tree { entries })
        .expect("tree")
        .detach();
    let signature = gix::actor::Signature {
        name: "t".into(),
        email: "gitcoord@localhost".into(),
        time: gix::date::Time {
            seconds: 0,
            offset: 0,
        },
    };
    let commit = gix::objs::Commit {
        tree,
        parents: Default::default(),
        author: signature.clone(),
        committer: signature,
        encoding: None,
        message: "init\n".into(),
        extra_headers: Vec::new(),
    };
    repo.inner.write_object(commit).expect("commit").detach()
}

#[test]
fn a_format_1_state_is_read_and_migrated_by_the_next_write_as_one_operation() {
    let (_dir, repo) = repo_with_state();
    let old = write_format_1(&repo);
    let head = repo.state_head().expect("r").expect("s");
    assert!(repo.compare_and_swap(Some(head), old).expect("cas"));
    let before = repo.require_state().expect("format 1 reads").state;
    assert_eq!((before.locks.len(), before.messages.len()), (2, 1));
    let op = Op::Lock {
        patterns: vec!["web/y.rs".into()],
        reason: None,
        ttl_secs: 60,
        force: false,
    };
    repo.update(&record(op, "2026-03-01T12:00:00Z"))
        .expect("locked");
    let head = repo.state_head().expect("r").expect("s");
    let commit = repo.inner.find_commit(head).expect("commit");
    let migration = commit.parent_ids().next().expect("a parent").detach();
    let message = repo
        .inner
        .find_commit(migration)
        .expect("commit")
        .message_raw_sloppy()
        .to_string();
    assert!(
        message.starts_with("migrate the state from format 1 to format 2"),
        "{message}"
    );
    assert!(
        message.contains(r#""op":"migrate","from":1,"to":2"#),
        "{message}"
    );
    let mut migrated = repo
        .read_state_at(migration, &Scope::all())
        .expect("readable")
        .state;
    let mut expected = before.clone();
    expected.meta.format = FORMAT_VERSION;
    // Locks are filed by key: the order across files is the files'.
    migrated.locks.sort_by(|a, b| a.pattern.cmp(&b.pattern));
    expected.locks.sort_by(|a, b| a.pattern.cmp(&b.pattern));
    assert_eq!(
        migrated, expected,
        "nothing lost, not even the expired lock"
    );
    let names = new_objects(
        &repo,
        ObjectId::empty_tree(gix::hash::Kind::Sha1),
        tree_of(&repo),
    );
    for name in [
        "agents/api.toml",
        "locks/.toml",
        "locks/api.toml",
        "locks/web.toml",
        "messages/m1.toml",
        "future.toml",
        "gitcoord.toml",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    assert!(
        !names
            .iter()
            .any(|n| n == "locks.toml" || n == "agents.toml"),
        "{names:?}"
    );
}

#[test]
fn a_newer_format_is_refused_before_its_shape_is_looked_at() {
    let (_dir, repo) = repo_with_state();
    let head = repo.state_head().expect("r").expect("s");
    let mut editor = repo.inner.edit_tree(tree_of(&repo)).expect("editor");
    let meta = repo
        .inner
        .write_blob(b"format = 3\n[new]\nshape = 1\n")
        .expect("blob");
    let odd = repo.inner.write_blob(b"\x00binary").expect("blob");
    editor
        .upsert("gitcoord.toml", gix::objs::tree::EntryKind::Blob, meta)
        .expect("upsert");
    editor
        .upsert(
            "agents/deep/er/x.bin",
            gix::objs::tree::EntryKind::Blob,
            odd,
        )
        .expect("upsert");
    let tree = editor.write().expect("tree").detach();
    let mut commit = repo
        .inner
        .find_commit(head)
        .expect("c")
        .decode()
        .expect("d")
        .to_owned()
        .expect("owned");
    commit.tree = tree;
    commit.parents = vec![head].into();
    let new = repo.inner.write_object(commit).expect("commit").detach();
    assert!(repo.compare_and_swap(Some(head), new).expect("cas"));
    let err = repo.read_state().expect_err("too new");
    assert!(matches!(err, Error::TooNew(_)), "{err:?}");
    assert!(err.to_string().contains("format 3"), "{err}");
    let op = Op::Halt { reason: "x".into() };
    assert!(matches!(
        repo.update(&record(op, "2026-03-01T12:00:00Z")),
        Err(Error::TooNew(_))
    ));
    assert_eq!(repo.state_head().expect("r"), Some(new), "nothing written");
}

#[test]
fn no_repository_is_classified_as_such() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let e = Repo::discover(dir.path())
        .err()
        .expect("no repository here");
    assert!(
        matches!(e, super::super::repo::Error::NotARepo { .. }),
        "{e:?}"
    );
}
