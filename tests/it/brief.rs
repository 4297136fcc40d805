//! `brief` on a busy state: six agents, 50 messages, 20 tasks, 30 locks — it stays within
//! 3,200 characters and still names the agent's next task and the question it must answer.

use std::fmt::Write as _;

use crate::common::TestEnv;

fn busy() -> TestEnv {
    let env = TestEnv::new();
    let mut plan = String::from("version = 1\n");
    let agents = ["backend", "frontend", "data", "qa", "devops", "architect"];
    for a in agents {
        let _ = write!(
            plan,
            "[[agent]]\nid = \"{a}\"\nbranch = \"feature/{a}\"\nrole = \"the {a} agent with a long role description\"\nowns = [\"{a}/**\"]\n"
        );
    }
    for i in 0..20 {
        let a = agents[i % 6];
        let after = if i >= 6 {
            format!("after = [\"t{}\"]\n", i - 6)
        } else {
            String::new()
        };
        let _ = write!(
            plan,
            "[[task]]\nid = \"t{i}\"\ntitle = \"Task number {i}, with a title long enough to matter\"\nassign = \"{a}\"\n{after}"
        );
    }
    env.write("plan.toml", &plan);
    env.gc(&["init", "--no-hooks", "--plan", "plan.toml"]).ok();
    // Locks in the agents' areas, taken by the lead (inside an agent's `owns` only the
    // lead or a coordinator may lock, with --force).
    for i in 0..30 {
        let owner = agents[(i + 1) % 6];
        env.gc(&[
            "lock",
            "--force",
            &format!("{owner}/file{i}.rs"),
            "--reason",
            "refactoring",
        ])
        .ok();
    }
    for i in 0..50 {
        let from = agents[i % 6];
        let to = if i % 5 == 0 {
            "backend".to_owned()
        } else {
            agents[(i + 2) % 6].to_owned()
        };
        if from == to {
            continue;
        }
        let mut args = vec!["--agent", from, "msg", "send", "--to", &to];
        let subject = format!("message {i}: a subject line of a realistic length for a question");
        args.extend(["--subject", &subject]);
        if i % 10 == 0 {
            args.extend(["--requires-response", "--within", "1h"]);
        }
        env.gc(&args).ok();
    }
    env
}

#[test]
fn brief_fits_its_budget_on_a_busy_state_and_names_what_matters() {
    let env = busy();
    let long = "L".repeat(5000);
    env.gc(&[
        "--agent",
        "qa",
        "msg",
        "send",
        "--to",
        "backend",
        "--subject",
        &long,
        "--requires-response",
        "--within",
        "1h",
    ])
    .ok();
    for i in 0..12 {
        env.gc(&[
            "--agent",
            "qa",
            "decision",
            "propose",
            "--title",
            &format!("question {i}"),
            "--option",
            "yes",
            "--option",
            "no",
            "--input-from",
            "backend",
        ])
        .ok();
    }
    let run = env.gc(&["--agent", "backend", "brief"]);
    let text = run.ok();
    assert!(
        text.chars().count() <= 3200,
        "{} characters:\n{text}",
        text.chars().count()
    );
    assert!(text.contains("start t0: Task number 0"), "{text}");
    assert!(text.contains("answer these:"), "{text}");
    assert!(text.contains("[answer by"), "{text}");
    assert!(text.contains("others' locks in your area:"), "{text}");
    // A long subject is cut, its deadline kept; decisions in the order proposed.
    let long_line = text
        .lines()
        .find(|l| l.contains("LLLL"))
        .expect("the long question");
    assert!(long_line.contains("[answer by"), "{long_line}");
    let (d2, d10) = (text.find("- d2:"), text.find("- d10:"));
    assert!(
        d2.is_some() && d10.is_none_or(|d10| d2 < Some(d10)),
        "{text}"
    );
    let json = env.json(&["--agent", "backend", "brief"]);
    let titles: Vec<&str> = json["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .filter_map(|s| s["title"].as_str())
        .collect();
    assert!(
        titles.contains(&"next") && titles.contains(&"answer these"),
        "{json}"
    );
    // The lead's view, and the halt first of all.
    env.gc(&["halt", "--reason", "main is red"]).ok();
    let lead = env.gc_at("2030-01-01T00:00:00Z", &["brief"]);
    let text = lead.ok();
    assert!(text.starts_with("gitcoord brief for user:"), "{text}");
    assert!(text.contains("HALTED:\n  - by"), "{text}");
    assert!(text.contains("stale agents:"), "{text}");
    assert!(text.contains("overdue answers:"), "{text}");
    assert!(text.chars().count() <= 3200, "{text}");
}
