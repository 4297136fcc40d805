//! Observability, analytics and feature-flag service credentials.

use crate::policy::secrets::rule::{RuleDef, rule};

/// Observability rules.
pub const RULES: &[RuleDef] = &[
    rule(
        "grafana-api-key",
        "Grafana API key",
        r#"\b(eyJrIjoi[A-Za-z0-9]{70,400})(?:[^A-Za-z0-9]|$)"#,
        &["eyjrijoi"],
        r#"token = "eyJrIjoidis87PUHEWbbfcMcv6zIR62ZeycC73kFmRWfPG3aZiq8o4QVgsXrbCmodEOpj8INzwQKcWMF6G5P86tHrgGqDGBD14yTBnwKRznoRgAmiLXscwTYcauuVHkqGY4logvCgNzYUxfXFjwb2Tuc7ORlkCNoWrJ598xRUsLq7dsaOtbWhHXJaBozNi9WHIdQCY3wUbVmo9HCakrjIkDtIH4pZUDgtMcu8XF4jjHGZauPSsk8wwTOZxKl6kOMUYQgX5YAb0T4xYp8QU5ZtLOLKMMVnt0XnPh37pcHewnNQOvDTMJmAGqRjkBxYBlV3X9Cx7MOMBogs4XSnao55BQlYc1Ch8j5kg6bLbU0yaQJ0XKV7XvMflI8FQcPbvwDvZRPXyAAjYBsnDQnaP5xzGLI""#,
        r#"token = "eyJrIjoisGEJgffwu9PD96t2QAuBCIEZou0iRt3sUshMszxnBbs5q9Tmf2mmPFx067KHHlzcqeCTs""#,
    ),
    rule(
        "grafana-cloud-api-token",
        "Grafana Cloud API token",
        r#"\b(glc_[A-Za-z0-9+/]{32,400})(?:[^A-Za-z0-9+/]|$)"#,
        &["glc_"],
        r#"token = "glc_WSGEO4bqaadgqliGLHoQDCzvy+zBxRVuRlpe2uEyTUCRRdU+/zrzfkQ4YiWyaCFvmDHWtz26+p2vSb3QFUnIq01TeLXHFRazHS0f4QQUPHggbagKJhpBdMyUJkG9z6uN94ZsIkWA/SMJLZCfgBHt74BxuReuXeoNL0UokfCmncg3Kqsdu7SwtdWtv6pSK7/vMWPJEL339HttFCvjdD+UleGCZ6IIZsF/vKZ3290APemy7PP2shffH9dC490lQ+D/8XmQlUQDXMHIFaHP1hsoMiHbvRvorzEbTHH2Jr76metW4U0nQcrIIZK5sLaptIprvHLG830vq0cMz4kYbAvT3MToxJ1oAPTDsjp8jqzgu5gZGXw7OZIll3X3BHz/C1Nr2f48FgbNTfcgsDTT""#,
        r#"token = "glc_MsTAp53XLIkVptvQb6AfoQKjs/qiD6F""#,
    ),
    rule(
        "grafana-service-account-token",
        "Grafana service account token",
        r#"\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\b"#,
        &["glsa_"],
        r#"token = "glsa_XUm1ruRaSjvjODH6eGtrhsRCldbbUWhV_abd3c0eb""#,
        r#"token = "glsa_uUBlj3BizStGdJlX7ERdJhXOjvP4OdKg_3f97""#,
    ),
    rule(
        "postman-api-token",
        "Postman API key",
        r#"\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b"#,
        &["pmak-"],
        r#"key = "PMAK-128954986bcea91a97486851-8a8c3b6a314ae5b0f77841d4510cc06512""#,
        r#"key = "PMAK-697423ee57e8e8adc3c34879-674a12ddbb""#,
    ),
    rule(
        "new-relic-user-api-key",
        "New Relic user API key",
        r#"\b(NRAK-[A-Z0-9]{27})(?:[^A-Z0-9]|$)"#,
        &["nrak-"],
        r#"token = "NRAK-WO1WT5V7Q0JTG86JLNFELCGCO5G""#,
        r#"token = "NRAK-UU1ZMLJTY0RL4AM2SS60Y0E707""#,
    ),
    rule(
        "new-relic-insert-key",
        "New Relic insert key",
        r#"\b(NRII-[A-Za-z0-9_-]{32})(?:[^A-Za-z0-9_-]|$)"#,
        &["nrii-"],
        r#"token = "NRII-WQz8E_ic31jd--dl8vMvZ4ubd4d3LlPm""#,
        r#"token = "NRII-sXrNJqcnIzM2sYbBHW8shcVY8L_iyXB""#,
    ),
    rule(
        "new-relic-browser-api-token",
        "New Relic browser API token",
        r#"\b(NRJS-[a-f0-9]{19})(?:[^a-f0-9]|$)"#,
        &["nrjs-"],
        r#"token = "NRJS-f3b21c93fc2b43b2601""#,
        r#"token = "NRJS-cce1a75d7b62819d0e""#,
    ),
    rule(
        "new-relic-license-key",
        "New Relic license key",
        r#"(?i)(?:new[_-]?relic|newrelic|nr_license)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-f0-9]{36})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["newrelic", "new_relic", "new-relic", "nr_license"],
        r#"NEW_RELIC_LICENSE_KEY = "396fa1bda26c81c7886642ccce4b59fc3a14""#,
        r#"NEW_RELIC_LICENSE_KEY = "5bdbee348c1af75df4dd643ea79db41da94""#,
    )
    .entropy(3.0),
    rule(
        "dynatrace-api-token",
        "Dynatrace API token",
        r#"\b(dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64})\b"#,
        &["dt0c01."],
        r#"token = "dt0c01.A5MZSBDD0SUWULLK1EO616PC.O7L7Y48NOKB5R5D3WOQMBUL09ZG7FPDSEIIANELA0VO3KTK1TIB2PTBKG6EV81S1""#,
        r#"token = "dt0c01.OY7N6ZNWL8IXZWO0P5CLCXGW.O9XTLJ17QZ""#,
    ),
    rule(
        "sentry-user-token",
        "Sentry user auth token",
        r#"\b(sntryu_[a-f0-9]{64})(?:[^a-f0-9]|$)"#,
        &["sntryu_"],
        r#"token = "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""#,
        r#"token = "sntryu_f75ff5e110d7c7eb443655c518569cb2e0fc1b0f62e3b5993aae7805475920f""#,
    ),
    rule(
        "sentry-org-token",
        "Sentry organisation auth token",
        r#"\b(sntrys_[A-Za-z0-9+/]{60,400})(?:[^A-Za-z0-9+/]|$)"#,
        &["sntrys_"],
        r#"token = "sntrys_NWGLL66tfT9wTiNccZEtj/Fj/ry25AFJUvWNabSQ6rwaafH5t79Ov363PVTUmDSeJEd/TWOTRbpreBHnjdWVw3WCWEE4SaN1l/7dKgkU0s/rsnRXfjUlAK8kvk7gZCAOtPgwgGvfDkvJ2HIEGyUhfmYhfFQyE37dm+KMNfwG33w91GSDxO2F009KXI+uGXyL1npgmbUvpX6MkZql3cAqrW2mixfnea2eUPm+Xo7I3fymxvQ1MmBY+RBEdrOz6LToerZ5HxVLo8Cj8KGxsXa6AEqGaOS9g6UcgcAvQo8mFxzzouT/lL2IsszG16XbJ3Z1JQQsOJwpnL+OeClnesXFKWsHydbCvyfyTApLOZDWY8G/Qr4eTHML6UNUPWBfup/md4ovaGhozuh9SHHE""#,
        r#"token = "sntrys_ZevmDqqp7/3KDHpunc3ex3Re+8ww4DAB0w+qMlOvZc5iigOCFMM9O1HnpvK""#,
    ),
    rule(
        "sentry-access-token",
        "Sentry access token",
        r#"(?i)(?:sentry)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-f0-9]{64})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["sentry"],
        r#"SENTRY_AUTH_TOKEN = "e55023e4899392a44cc778bf3113795c5e96e15a80f0962bf4d129f7170680ed""#,
        r#"SENTRY_AUTH_TOKEN = "4cac2adf2f95cb21ac22103a76e0fdd28e2960105f683206deb7b61fbcccee2""#,
    )
    .entropy(3.0),
    rule(
        "datadog-access-token",
        "Datadog API or application key",
        r#"(?i)(?:datadog|\bdd_(?:api|app))[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-z0-9]{40})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["datadog", "dd_api", "dd_app"],
        r#"DATADOG_APP_KEY = "a1xjdix2056j83v2dzfvhqfcdcd00r000ii0klr1""#,
        r#"DATADOG_APP_KEY = "c41g8oaemeqgzgnuck8w0bqwshwsunf4oz8mgsz""#,
    )
    .entropy(3.5),
    rule(
        "honeycomb-api-key",
        "Honeycomb API key",
        r#"(?i)(?:honeycomb)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([A-Za-z0-9]{22,32})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["honeycomb"],
        r#"HONEYCOMB_API_KEY = "7691cTXFpwTAEe6UlhuA9LAMwAVKjrMq""#,
        r#"HONEYCOMB_API_KEY = "vTpahmTvpvTQ3B2JvEpsI""#,
    )
    .entropy(3.5),
    rule(
        "pagerduty-api-key",
        "PagerDuty API key",
        r#"(?i)(?:pagerduty)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([A-Za-z0-9_-]{20})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["pagerduty"],
        r#"PAGERDUTY_TOKEN = "ovrjmA1cTzsC6sx0-rAA""#,
        r#"PAGERDUTY_TOKEN = "2uhIGStPPpuHaESAx6l""#,
    )
    .entropy(3.5),
    rule(
        "opsgenie-api-key",
        "Opsgenie API key",
        r#"(?i)(?:opsgenie)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-f0-9]{36})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["opsgenie"],
        r#"OPSGENIE_API_KEY = "b94efc3b2b3cd54ee81d8ad64ef60609dfcf""#,
        r#"OPSGENIE_API_KEY = "b60cc0dbf07b27eb7b2798d7b7c310aa69e""#,
    ),
    rule(
        "sumologic-access-key",
        "Sumo Logic access key",
        r#"(?i)(?:sumo)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([A-Za-z0-9]{64})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["sumo"],
        r#"SUMO_ACCESS_KEY = "GHz8oplhj59GXA0LdSCeZ0FXPxGPio0k0y2FcVGiMvsDb2HMrF4y7lNDlfHz5xbq""#,
        r#"SUMO_ACCESS_KEY = "ZXzf2bftrCHdP7nSjHW6A6AP27bLFR18JJNhXcAKd2o06XwH8yAtj4XLkpG2hbE""#,
    )
    .entropy(3.5),
    rule(
        "logzio-token",
        "Logz.io shipping token",
        r#"(?i)(?:logzio|logz_io)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([A-Za-z]{32})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["logzio", "logz_io"],
        r#"LOGZIO_TOKEN = "iIyggEeYJEHblpNBZbuUWRuWcnfOpkQW""#,
        r#"LOGZIO_TOKEN = "sWMwnPsEaczyvDtPEUFkqvaqGQbAanW""#,
    )
    .entropy(3.5),
    rule(
        "launchdarkly-access-token",
        "LaunchDarkly access token",
        r#"(?i)(?:launchdarkly)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([A-Za-z0-9_-]{40})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["launchdarkly"],
        r#"LAUNCHDARKLY_SDK_KEY = "plAgm0p6fXVcCJ0vz54omfTFSAcDz3PM5QB7093U""#,
        r#"LAUNCHDARKLY_SDK_KEY = "MVmiqeUlqT7_GmFevT2iVI7Px9zt-GsCPPrgNxl""#,
    )
    .entropy(3.5),
    rule(
        "rollbar-access-token",
        "Rollbar access token",
        r#"(?i)(?:rollbar)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-f0-9]{32})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["rollbar"],
        r#"ROLLBAR_ACCESS_TOKEN = "ffc25ffdc5582598c2a38195d97b3efa""#,
        r#"ROLLBAR_ACCESS_TOKEN = "db5d95fd1343081a283872ff892ff68""#,
    )
    .entropy(3.0),
    rule(
        "bugsnag-api-key",
        "Bugsnag API key",
        r#"(?i)(?:bugsnag)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-f0-9]{32})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["bugsnag"],
        r#"BUGSNAG_API_KEY = "b7165b95236c4ff73a63df805dd5e807""#,
        r#"BUGSNAG_API_KEY = "29c263654c028b4e1445c2360ac8c0d""#,
    )
    .entropy(3.0),
    rule(
        "algolia-api-key",
        "Algolia admin API key",
        r#"(?i)(?:algolia)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-z0-9]{32})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["algolia"],
        r#"ALGOLIA_ADMIN_KEY = "w8flze4n0psd2ydi7nw8loh74bmb0654""#,
        r#"ALGOLIA_ADMIN_KEY = "fcnaqr6yzirf0fmi2dnrmhcdyfhkm85""#,
    )
    .entropy(3.5),
    rule(
        "segment-write-key",
        "Segment write key",
        r#"(?i)(?:segment)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([A-Za-z0-9]{32})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["segment"],
        r#"SEGMENT_WRITE_KEY = "XRgzEtiygAqONk7I8bFhxgQE49mc52VU""#,
        r#"SEGMENT_WRITE_KEY = "k3LHdz3XZrM33If4o0k5HcAtga4a7jX""#,
    )
    .entropy(3.5),
    rule(
        "mixpanel-api-secret",
        "Mixpanel API secret",
        r#"(?i)(?:mixpanel)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-f0-9]{32})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["mixpanel"],
        r#"MIXPANEL_API_SECRET = "5b9acc575fbf5ab8fbf28d73f5da4352""#,
        r#"MIXPANEL_API_SECRET = "d274dad192618db2f4de9d09ba74b12""#,
    )
    .entropy(3.0),
    rule(
        "posthog-personal-api-key",
        "PostHog personal API key",
        r#"\b(phx_[A-Za-z0-9]{43})(?:[^A-Za-z0-9]|$)"#,
        &["phx_"],
        r#"token = "phx_MzlbWKp8WInUTOvPFb12pD4WrNXprLkIzxsIQSjsESz""#,
        r#"token = "phx_y7q1hSfyHi409egNfDSc72pcmOBAX0SZPuB8spieuU""#,
    ),
    rule(
        "confluent-secret-key",
        "Confluent Cloud API secret",
        r#"(?i)(?:confluent)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([A-Za-z0-9+/]{64})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["confluent"],
        r#"CONFLUENT_SECRET = "CS6ksiiXyk5mhiHHpQsCZtbwoJf5YGbu0yBVX/95Bl1avWZ46dP4E/wNqazwasx5""#,
        r#"CONFLUENT_SECRET = "SpqtpFHDNSfKqqlyuOSvHPE+BqAYPx80iOMYf1BcA9P98Wv77883M2AHRWPiyh4""#,
    )
    .entropy(4.0),
    rule(
        "elastic-cloud-api-key",
        "Elastic Cloud API key",
        r#"(?i)(?:elastic)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([A-Za-z0-9+/]{60,100})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["elastic"],
        r#"ELASTIC_API_KEY = "HlCE4iGt3D5vCpnBGo+/xI/yDaoUeJ77+5wwnjiogJ4cv1smtyqIG5jj48aDwpVMAwBZDOeWrs7X3e7BKJwhnvyIlWMBiAI0FXDV""#,
        r#"ELASTIC_API_KEY = "AI99Rk3SKCgedjO61m7tF5QPQnoeufLaT0xv5MiM/HJLM/3WIUNmmz9XhTv""#,
    )
    .entropy(4.0),
];
