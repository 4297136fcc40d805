//! Every way a command can fail, and the one function that turns it into an exit code.

use crate::git;
use crate::model::OpError;

/// A command's failure, rendered once at the edge.
#[derive(Debug)]
pub enum CliError {
    /// Refused by policy (lock held, halt, unmet dependency): exit 1.
    Refused {
        /// What happened.
        message: String,
        /// What to do next.
        hint: String,
    },
    /// Bad usage, configuration or repository: exit 2.
    Usage {
        /// What happened.
        message: String,
        /// What to do next.
        hint: String,
    },
    /// Anything unexpected underneath (I/O, git): exit 2.
    Internal(anyhow::Error),
}

impl CliError {
    /// A usage error with a hint.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// A refusal with a hint.
    pub fn refused(message: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError::Refused {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// The process exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Refused { .. } => 1,
            CliError::Usage { .. } | CliError::Internal(_) => 2,
        }
    }
}

impl From<OpError> for CliError {
    fn from(e: OpError) -> Self {
        match e {
            OpError::Refused { message, hint } => CliError::Refused { message, hint },
            OpError::Invalid { message, hint } => CliError::Usage { message, hint },
        }
    }
}

impl From<git::store::Error> for CliError {
    fn from(e: git::store::Error) -> Self {
        match e {
            git::store::Error::Op(op) => op.into(),
            other => CliError::usage(other.to_string(), ""),
        }
    }
}

impl From<git::repo::Error> for CliError {
    fn from(e: git::repo::Error) -> Self {
        CliError::usage(e.to_string(), "")
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        CliError::Internal(e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Internal(e.into())
    }
}
