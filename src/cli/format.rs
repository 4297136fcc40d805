//! `--format` on the command line: the one [`Format`] of the reports, as clap reads it.

use clap::ValueEnum;
use clap::builder::PossibleValue;

pub use crate::enforce::report::Format;

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &Format::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()).help(self.help()))
    }
}
