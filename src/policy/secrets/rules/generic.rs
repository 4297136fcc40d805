//! Credentials in URLs, connection strings, commands and generic secret assignments.

use crate::policy::secrets::rule::{RuleDef, rule};

/// Generic and connection-string rules.
pub const RULES: &[RuleDef] = &[
    rule(
        "database-url-password",
        "Database connection URL with a password",
        r#"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|cockroachdb|clickhouse|couchdb|neo4j|oracle)://[^:@/\s\x27"]{1,64}:([^@/\s\x27"]{3,128})@[^\s\x27"/]+"#,
        &["://"],
        r#"DATABASE_URL = "postgres://app:I7nLP0gRKgSjAnuo@db.internal:5432/app""#,
        r#"DATABASE_URL = "postgres://app:password@localhost:5432/app""#,
    ),
    rule(
        "url-basic-auth",
        "HTTP URL with a password",
        r#"\bhttps?://[^:@/\s\x27"]{1,64}:([^@/\s\x27"]{3,128})@[\w.-]+"#,
        &["://"],
        r#"url = "https://ci:H3QYsQ7ry0DjXhqPxB@artifacts.internal/repo""#,
        r#"url = "https://user:${PASSWORD}@artifacts.internal/repo""#,
    ),
    rule(
        "jdbc-password",
        "JDBC URL with a password",
        r#"(?i)jdbc:[a-z0-9]+:[^\s\x27"]*?[;?&]password=([^;&\s\x27"]{3,128})"#,
        &["jdbc:"],
        r#"url=jdbc:sqlserver://db:1433;user=app;password=S0XEbDigw6EktjCD;"#,
        r#"url=jdbc:sqlserver://db:1433;user=app;password=${DB_PASSWORD};"#,
    ),
    rule(
        "connection-string-password",
        "Connection string with a password",
        r#"(?i)(?:Server|Data Source|Host)=[^;\x27"\n]+;[^\x27"\n]*?(?:Password|Pwd)=([^;\x27"\s]{3,128})"#,
        &["password=", "pwd="],
        r#"conn = "Server=db;Database=app;User Id=app;Password=ZtKQPT63MjlsQPjC;""#,
        r#"conn = "Server=db;Database=app;User Id=app;Password=<password>;""#,
    ),
    rule(
        "curl-auth-user",
        "curl command with a user and password",
        r#"\bcurl\b[^\n]*?\s(?:-u|--user)\s+[\x27"]?([^:\x27"\s$]{1,64}:[^\x27"\s$]{4,128})[\x27"]?(?:\s|$)"#,
        &["curl"],
        r#"curl -u deploy:78ssIZhqCbhmdOq1 https://api.internal/v1"#,
        r#"curl -u deploy:$DEPLOY_PASSWORD https://api.internal/v1"#,
    ),
    rule(
        "curl-auth-header",
        "curl command with an authorization header",
        r#"(?i)\bcurl\b[^\n]*?(?:-H|--header)\s*[\x27"]Authorization:\s*(?:Bearer|Basic|token)\s+([A-Za-z0-9._~+/=-]{16,})[\x27"]"#,
        &["curl"],
        r#"curl -H "Authorization: Bearer m_KMNfwG33w91GSDxO2F009KXI_uGXyL1npgmbUv" https://api.internal"#,
        r#"curl -H "Authorization: Bearer $TOKEN" https://api.internal"#,
    )
    .entropy(3.5),
    rule(
        "authorization-basic",
        "HTTP Basic authorization credentials",
        r#"(?i)\bauthorization["\x27]?\s*[:=]\s*["\x27]?basic\s+([A-Za-z0-9+/]{16,}={0,2})"#,
        &["basic"],
        r#"Authorization: Basic pX6MkZql3cAqrW2mixfnea2eUPm+Xo7I"#,
        r#"Authorization: Basic <credentials>"#,
    )
    .entropy(3.5),
    rule(
        "authorization-bearer",
        "HTTP bearer token",
        r#"(?i)\bauthorization["\x27]?\s*[:=]\s*["\x27]?bearer\s+([A-Za-z0-9._~+/-]{20,}={0,2})"#,
        &["bearer"],
        r#"Authorization: Bearer 3fymxvQ1MmBY_RBEdrOz6LToerZ5HxVLo8Cj8KGx"#,
        r#"Authorization: Bearer <token>"#,
    )
    .entropy(3.5),
    rule(
        "generic-api-key",
        "Generic secret assignment",
        r#"(?i)[\w.-]{0,40}?(?:api[_.-]?key|apikey|secret|token|passw(?:or)?d|passwd|pwd|auth[_.-]?key|access[_.-]?key|private[_.-]?key|client[_.-]?secret|credentials?)(?:[\w.-]{0,20})["\x27]?\s{0,3}(?::=|=>|=|:|\?=)\s{0,3}[\x60"\x27]?([A-Za-z0-9_./+=~!@#%^&*-]{10,128})[\x60"\x27]?(?:[\s;,)\]}]|\\[nr]|$)"#,
        &["key", "secret", "token", "passw", "pwd", "auth", "credential"],
        r#"db_password = "SF3bxEqWWyy8gZDadLyq""#,
        r#"db_password = "b56e01a1-634f-8e57-870b-4af91cccab4f""#,
    )
    .entropy(3.5)
    .strict()
    .allow_match(
        r"(?i)(?:next|page|continuation|pagination|cursor|purchase|csrf|xsrf|sync|resume|idempotency)[_.-]?token|token[_.-]?(?:type|count|len|uri|url|endpoint)|(?:key|secret|token)[_.-]?(?:id|name|arn|path|file|ref|version)\b|public[_.-]?key",
    ),
];
