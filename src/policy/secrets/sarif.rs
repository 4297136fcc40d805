//! SARIF 2.1.0 report writer: rules under `tool.driver.rules`, results with `partialFingerprints`.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::Finding;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes a SARIF 2.1.0 log whose driver lists `rules` as `(id, description)`.
pub fn write_sarif<'a>(
    out: &mut dyn Write,
    findings: &[Finding],
    rules: impl Iterator<Item = (&'a str, &'a str)>,
) -> io::Result<()> {
    let rules: Vec<(&str, &str)> = rules.collect();
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|(id, description)| {
            json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": description },
                "defaultConfiguration": { "level": "error" },
            })
        })
        .collect();
    let results: Vec<Value> = findings.iter().map(|f| result(f, &rules)).collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "gitcoord",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": descriptors,
            }},
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn result(f: &Finding, rules: &[(&str, &str)]) -> Value {
    let mut region = json!({ "startLine": f.line.max(1) });
    if f.column > 0 {
        region["startColumn"] = json!(f.column);
    }
    let mut value = json!({
        "ruleId": f.rule_id,
        "level": "error",
        "message": { "text": format!("{}: {}", f.description, f.redacted) },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": f.file },
            "region": region,
        }}],
        "partialFingerprints": {
            "gitcoordFingerprint/v1": f.fingerprint,
            "secretHash/v1": f.secret_hash,
        },
    });
    if let Some(index) = rules.iter().position(|(id, _)| *id == f.rule_id) {
        value["ruleIndex"] = json!(index);
    }
    if let Some(commit) = &f.commit {
        value["properties"] = json!({ "commit": commit });
    }
    value
}
