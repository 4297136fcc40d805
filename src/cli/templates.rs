//! The built-in plan templates (`templates/plans/NAME.toml`, compiled in): the five
//! coordination schemes a team starts from with `gitcoord init --template NAME`.

/// A built-in template.
pub struct Template {
    /// Its name, as `--template` takes it.
    pub name: &'static str,
    /// The plan text, comments included.
    pub text: &'static str,
}

impl Template {
    /// One line saying what it encodes: the first comment line of the file.
    pub fn summary(&self) -> &'static str {
        self.text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# "))
            .unwrap_or_default()
    }
}

/// Every built-in template, in the order the schemes are described.
pub const TEMPLATES: [Template; 5] = [
    Template {
        name: "three-leads",
        text: include_str!("../../templates/plans/three-leads.toml"),
    },
    Template {
        name: "waves",
        text: include_str!("../../templates/plans/waves.toml"),
    },
    Template {
        name: "backend-frontend",
        text: include_str!("../../templates/plans/backend-frontend.toml"),
    },
    Template {
        name: "registry",
        text: include_str!("../../templates/plans/registry.toml"),
    },
    Template {
        name: "swarm",
        text: include_str!("../../templates/plans/swarm.toml"),
    },
];

/// The template `name`.
pub fn find(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_a_valid_plan_with_a_summary() {
        for t in &TEMPLATES {
            let plan = crate::model::plan_check::check(t.text)
                .unwrap_or_else(|e| panic!("{}: {:?}", t.name, e));
            assert!(!plan.agents.is_empty(), "{}", t.name);
            assert!(t.summary().len() > 20, "{}", t.name);
        }
        let waves =
            crate::model::plan_check::check(find("waves").expect("waves").text).expect("valid");
        assert_eq!(waves.waves.len(), 13);
        assert_eq!(
            waves
                .agents
                .iter()
                .filter(|a| a.id.starts_with("inst-"))
                .count(),
            15
        );
    }
}
