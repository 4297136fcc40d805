//! `gitcoord graph`: agents in merge order, tasks with their dependencies, and waves, as a
//! mermaid flowchart (renders as-is in GitHub markdown) or a graphviz `dot` digraph.

use clap::{Args, ValueEnum};

use super::{CliError, Ctx, Outcome};
use crate::model::State;
use crate::model::plan::WaveMode;
use crate::model::task;

/// The output format.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// A mermaid flowchart.
    Mermaid,
    /// A graphviz digraph.
    Dot,
}

/// Arguments of `graph`.
#[derive(Args, Debug)]
pub struct GraphArgs {
    /// The output format.
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: GraphFormat,
}

/// A box of the graph.
#[derive(Debug, PartialEq, Eq)]
struct Node {
    /// A safe id (`a0`, `t3`): letters and digits only.
    id: String,
    /// Its lines of text, unescaped.
    lines: Vec<String>,
    /// `agent`, or a task status (`open`, `done`…): what it is drawn as.
    class: &'static str,
}

/// A group of nodes drawn together: the merge order, a wave, the tasks of no wave.
#[derive(Debug)]
struct Cluster {
    id: String,
    /// A wave (waves are chained in the order they open).
    wave: bool,
    label: String,
    nodes: Vec<Node>,
}

/// An arrow: a dependency (`from` must be done first) or a step of the merge order.
#[derive(Debug)]
struct Edge {
    from: String,
    to: String,
    /// A merge-order step (thick) rather than a task dependency.
    merge: bool,
}

/// The graph of a state, independent of how it is written.
#[derive(Debug)]
struct Graph {
    clusters: Vec<Cluster>,
    edges: Vec<Edge>,
}

/// Builds the graph of `state`.
fn build(state: &State) -> Graph {
    let order = crate::model::merge_order::order(&state.agents);
    let agent_node = |id: &str| format!("a{}", order.iter().position(|a| a == id).unwrap_or(0));
    let mut clusters = Vec::new();
    let mut edges = Vec::new();
    let agents: Vec<Node> = order
        .iter()
        .filter_map(|id| {
            let agent = state.agents.get(id)?;
            let mut lines = vec![id.clone(), agent.branch.clone()];
            lines.extend(agent.role.clone());
            Some(Node {
                id: agent_node(id),
                lines,
                class: "agent",
            })
        })
        .collect();
    for id in &order {
        for before in state
            .agents
            .get(id)
            .map(|a| a.after.as_slice())
            .unwrap_or_default()
        {
            if state.agents.contains_key(before) {
                edges.push(Edge {
                    from: agent_node(before),
                    to: agent_node(id),
                    merge: true,
                });
            }
        }
    }
    if !agents.is_empty() {
        clusters.push(Cluster {
            id: "agents".into(),
            wave: false,
            label: "agents, in merge order".into(),
            nodes: agents,
        });
    }
    let tasks = task::in_order(state);
    let task_node =
        |id: &str| format!("t{}", tasks.iter().position(|(t, _)| *t == id).unwrap_or(0));
    let node = |(id, t): &(&str, &task::Task)| {
        let mut lines = vec![(*id).to_owned(), t.title.clone()];
        let who = t.assignee.as_deref().unwrap_or("unassigned");
        lines.push(format!("{who} · {}", t.status.name()));
        Node {
            id: task_node(id),
            lines,
            class: t.status.name(),
        }
    };
    let waves = state
        .plan
        .as_ref()
        .map(|p| p.waves.as_slice())
        .unwrap_or_default();
    for (i, wave) in waves.iter().enumerate() {
        let mode = match wave.mode {
            WaveMode::Sequential => "sequential",
            WaveMode::Parallel => "parallel",
        };
        let mut label = format!("{} · {mode} · {}", wave.id, wave.status.name());
        if !wave.checks.is_empty() {
            label.push_str(&format!(" · checkpoint: {}", wave.checks.join(", ")));
        }
        clusters.push(Cluster {
            id: format!("w{i}"),
            wave: true,
            label,
            nodes: tasks
                .iter()
                .filter(|(_, t)| t.wave.as_deref() == Some(wave.id.as_str()))
                .map(node)
                .collect(),
        });
    }
    let unwaved: Vec<Node> = tasks
        .iter()
        .filter(|(_, t)| {
            t.wave
                .as_ref()
                .is_none_or(|w| !waves.iter().any(|x| &x.id == w))
        })
        .map(node)
        .collect();
    if !unwaved.is_empty() {
        clusters.push(Cluster {
            id: "tasks".into(),
            wave: false,
            label: if waves.is_empty() {
                "tasks"
            } else {
                "tasks of no wave"
            }
            .into(),
            nodes: unwaved,
        });
    }
    for (id, t) in &tasks {
        for before in &t.after {
            if state.tasks.contains_key(before) {
                edges.push(Edge {
                    from: task_node(before),
                    to: task_node(id),
                    merge: false,
                });
            }
        }
    }
    Graph { clusters, edges }
}

/// Text that mermaid shows as-is inside `"…"`: its entity codes for what it would read.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::model::text::one_line(text).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out
}

/// The graph as a mermaid flowchart.
fn mermaid(graph: &Graph) -> String {
    let mut out = String::from("flowchart TD\n");
    for cluster in &graph.clusters {
        out.push_str(&format!(
            "  subgraph {}[\"{}\"]\n",
            cluster.id,
            mermaid_text(&cluster.label)
        ));
        for node in &cluster.nodes {
            let text: Vec<String> = node.lines.iter().map(|l| mermaid_text(l)).collect();
            let (open, close) = if node.class == "agent" {
                ("([", "])")
            } else {
                ("[", "]")
            };
            out.push_str(&format!(
                "    {}{open}\"{}\"{close}\n",
                node.id,
                text.join("<br/>")
            ));
        }
        out.push_str("  end\n");
    }
    let waves: Vec<&Cluster> = graph.clusters.iter().filter(|c| c.wave).collect();
    for pair in waves.windows(2) {
        out.push_str(&format!("  {} -.-> {}\n", pair[0].id, pair[1].id));
    }
    for edge in &graph.edges {
        let arrow = if edge.merge { "==>" } else { "-->" };
        out.push_str(&format!("  {} {arrow} {}\n", edge.from, edge.to));
    }
    out.push_str("  classDef done fill:#d4f7d4,stroke:#2a7a2a\n");
    out.push_str("  classDef active fill:#fff3c4,stroke:#a07800\n");
    out.push_str("  classDef blocked fill:#f9d0d0,stroke:#a02020\n");
    for (status, class) in [
        ("done", "done"),
        ("in-progress", "active"),
        ("blocked", "blocked"),
    ] {
        let ids: Vec<&str> = graph
            .clusters
            .iter()
            .flat_map(|c| &c.nodes)
            .filter(|n| n.class == status)
            .map(|n| n.id.as_str())
            .collect();
        if !ids.is_empty() {
            out.push_str(&format!("  class {} {class}\n", ids.join(",")));
        }
    }
    out
}

/// Text for a `"…"` string of dot.
fn dot_text(text: &str) -> String {
    crate::model::text::one_line(text)
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

/// The graph as a graphviz digraph.
fn dot(graph: &Graph) -> String {
    let mut out = String::from(
        "digraph gitcoord {\n  rankdir=TB;\n  compound=true;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n",
    );
    for cluster in &graph.clusters {
        out.push_str(&format!(
            "  subgraph cluster_{} {{\n    label=\"{}\";\n",
            cluster.id,
            dot_text(&cluster.label)
        ));
        for node in &cluster.nodes {
            let text: Vec<String> = node.lines.iter().map(|l| dot_text(l)).collect();
            let style = match node.class {
                "agent" => ", shape=ellipse, style=solid",
                "done" => ", style=\"rounded,filled\", fillcolor=\"#d4f7d4\"",
                "in-progress" => ", style=\"rounded,filled\", fillcolor=\"#fff3c4\"",
                "blocked" => ", style=\"rounded,filled\", fillcolor=\"#f9d0d0\"",
                _ => "",
            };
            out.push_str(&format!(
                "    {} [label=\"{}\"{style}];\n",
                node.id,
                text.join("\\n")
            ));
        }
        out.push_str("  }\n");
    }
    for edge in &graph.edges {
        let style = if edge.merge { " [style=bold]" } else { "" };
        out.push_str(&format!("  {} -> {}{style};\n", edge.from, edge.to));
    }
    out.push_str("}\n");
    out
}

/// Runs `graph`: prints the graph (under `--json`, the text in a `graph` field).
pub fn run(ctx: &mut Ctx, args: GraphArgs) -> Result<Outcome, CliError> {
    let snapshot = ctx.snapshot()?;
    let graph = build(&snapshot.state);
    let text = match args.format {
        GraphFormat::Mermaid => mermaid(&graph),
        GraphFormat::Dot => dot(&graph),
    };
    #[derive(serde::Serialize)]
    struct Shown<'a> {
        format: &'a str,
        graph: &'a str,
    }
    let shown = Shown {
        format: match args.format {
            GraphFormat::Mermaid => "mermaid",
            GraphFormat::Dot => "dot",
        },
        graph: &text,
    };
    ctx.ui.emit(&shown, |out| write!(out, "{text}"))?;
    Ok(Outcome::Clean)
}

#[cfg(test)]
#[path = "graph_tests.rs"]
mod tests;
