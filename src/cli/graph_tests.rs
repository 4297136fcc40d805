//! The graph of a small plan in both formats: every arrow joins declared boxes, every box
//! sits in one group, and text that would break the syntax is escaped.

use super::*;
use crate::model::op::{Actor, Op, Record, apply};

const PLAN: &str = r#"
version = 1
[[agent]]
id = "sec"
branch = "feature/sec"
role = "security \"lead\" <#1>"
[[agent]]
id = "db"
branch = "feature/db"
after = ["sec"]
[[task]]
id = "config"
title = "Config from the \"env\" & <vault>"
assign = "sec"
wave = "W1"
[[task]]
id = "schema"
title = "Schema"
after = ["config"]
wave = "W2"
[[task]]
id = "loose"
title = "No wave"
after = ["schema"]
[[wave]]
id = "W1"
mode = "sequential"
[[wave]]
id = "W2"
"#;

fn state() -> State {
    let at = jiff::Timestamp::from_second(1_790_000_000).expect("valid time");
    let plan = crate::model::plan_check::check(PLAN).expect("the test plan is valid");
    let mut state = State::new(at);
    let record = Record {
        op: Op::PlanApply {
            plan: Box::new(plan),
        },
        actor: Actor::User {
            name: "lead".into(),
        },
        at,
        site: None,
    };
    apply(&mut state, &record).expect("the plan applies");
    state
}

/// The node ids declared in mermaid text (`id[` or `id([`) and those arrows use.
fn mermaid_ids(text: &str) -> (Vec<String>, Vec<(String, String)>) {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() == 3 && ["-->", "==>", "-.->"].contains(&words[1]) {
            edges.push((words[0].to_owned(), words[2].to_owned()));
        } else if let Some(i) = line.find("[\"").or_else(|| line.find("([\"")) {
            let id = line[..i].trim_end_matches('(');
            if !line.starts_with("subgraph") {
                nodes.push(id.to_owned());
            }
        }
    }
    (nodes, edges)
}

#[test]
fn mermaid_declares_every_box_an_arrow_joins_and_escapes_text() {
    let text = mermaid(&build(&state()));
    assert!(text.starts_with("flowchart TD\n"), "{text}");
    let opened = text
        .lines()
        .filter(|l| l.trim_start().starts_with("subgraph "))
        .count();
    let closed = text.lines().filter(|l| l.trim() == "end").count();
    assert_eq!(
        (opened, closed),
        (4, 4),
        "agents, W1, W2, tasks of no wave:\n{text}"
    );
    let (nodes, edges) = mermaid_ids(&text);
    assert_eq!(nodes.len(), 5, "two agents and three tasks:\n{text}");
    let subgraphs = ["w0", "w1"];
    for (from, to) in &edges {
        for id in [from, to] {
            assert!(
                nodes.contains(id) || subgraphs.contains(&id.as_str()),
                "arrow to undeclared {id}:\n{text}"
            );
        }
    }
    assert_eq!(
        edges.len(),
        4,
        "db after sec, W1 before W2, two dependencies:\n{text}"
    );
    assert!(text.contains("==>"), "merge order drawn thick:\n{text}");
    for line in text.lines().filter(|l| l.contains("[\"")) {
        let inner = &line[line.find('"').expect("quoted") + 1..line.rfind('"').expect("quoted")];
        assert!(
            !inner.contains(['"', '<', '>']) || inner.contains("<br/>"),
            "{line}"
        );
        assert!(
            !inner.replace("<br/>", "").contains(['"', '<', '>']),
            "{line}"
        );
    }
    assert!(
        text.contains("#quot;env#quot; #amp; #lt;vault#gt;"),
        "{text}"
    );
}

#[test]
fn dot_is_balanced_and_escaped() {
    let text = dot(&build(&state()));
    assert!(text.starts_with("digraph gitcoord {"), "{text}");
    assert_eq!(
        text.matches('{').count(),
        text.matches('}').count(),
        "{text}"
    );
    assert_eq!(text.matches("subgraph cluster_").count(), 4, "{text}");
    assert_eq!(text.matches(" -> ").count(), 3, "{text}");
    assert!(text.contains(r#"security \"lead\" <#1>"#), "{text}");
    for line in text.lines() {
        let unescaped = line.replace("\\\"", "").matches('"').count();
        assert_eq!(unescaped % 2, 0, "unbalanced quotes: {line}");
    }
}

#[test]
fn an_empty_state_is_an_empty_graph() {
    let state = State::new(jiff::Timestamp::from_second(0).expect("valid time"));
    assert_eq!(
        mermaid(&build(&state)).lines().count(),
        4,
        "header and class definitions"
    );
    assert_eq!(dot(&build(&state)).lines().count(), 5);
}
