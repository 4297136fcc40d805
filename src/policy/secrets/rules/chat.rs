//! Chat, social and messaging platform credentials: Slack, Discord, Telegram, Teams, social networks.

use crate::policy::secrets::rule::{RuleDef, rule};

/// Chat and social rules.
pub const RULES: &[RuleDef] = &[
    rule(
        "slack-bot-token",
        "Slack bot token",
        r#"\b(xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*)"#,
        &["xoxb"],
        r#"token = "xoxb-983690060267-7354684874526-wh8Xms9bmOxojRlO8f2NxmZQ""#,
        r#"token = "xoxb-123-456-abc""#,
    ),
    rule(
        "slack-user-token",
        "Slack user token",
        r#"\b(xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34})"#,
        &["xoxp-", "xoxe-"],
        r#"token = "xoxp-017572284642-892693719556-2799556063622-8d393c5f96e75c454fa23d827923c76e""#,
        r#"token = "xoxp-359296037519-664073537038-d7c1c400911d31690a8ff606eb0ecc1b""#,
    ),
    rule(
        "slack-app-token",
        "Slack app-level token",
        r#"(?i)\b(xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+)\b"#,
        &["xapp"],
        r#"token = "xapp-1-A3S4KC4O499-3690753103145-ae99aca8f3b30ad77224d67e803e103337b166af8e49560c2be070d44c9c80f1""#,
        r#"token = "xapp-1-abc""#,
    ),
    rule(
        "slack-config-access-token",
        "Slack configuration access token",
        r#"(?i)\b(xoxe\.xox[bp]-\d-[A-Z0-9]{163,166})\b"#,
        &["xoxe.xox"],
        r#"token = "xoxe.xoxp-1-LPH32UR7LN53PD9VARW8TSJKINJO13Q6S287RAM6WZLFRIE5S5180OEFI2L3W1EKWMWKZ64XE1T8ROQ9OGAG3BA4GWFC3V7J755BP492C2HH4XZ8P8FTCASVMZXEJ4HLAFBT2MC7OJLIHENKZLQR4NDE2M8BU9N67L1J""#,
        r#"token = "xoxe.xoxp-1-R3I89EESZSJQDFBCWXUGD95SQK24IBFTL895VWSQ""#,
    ),
    rule(
        "slack-config-refresh-token",
        "Slack configuration refresh token",
        r#"(?i)\b(xoxe-\d-[A-Z0-9]{146})\b"#,
        &["xoxe-"],
        r#"token = "xoxe-1-4B0HIAXQK6PS6PFX3XPL2MRK3TIOY2V4XEB32CHU3UKIXZTZIROKKZPAV7NB6IG7IJ4FWECEPTAFBVPJFC3UZHN5CURM8DJHTS4VBX44LX76MKS7D7FQHM385SGTINLKPJO871JFUNK6K6U1S9""#,
        r#"token = "xoxe-1-DFWX4LZI8USML37MJRY8W69NJ322GQE62T5TOGFPPHYDIX""#,
    ),
    rule(
        "slack-legacy-token",
        "Slack legacy token",
        r#"\b(xox[os]-\d+-\d+-\d+-[a-fA-F\d]+)"#,
        &["xoxo-", "xoxs-"],
        r#"token = "xoxs-9240931344-8659213400-539184184538-552bcdf8e76e7d9abfc6cfbf38ea3aba3b782033735f15434f3cb8fecb37f8cc""#,
        r#"token = "xoxs-abc-def""#,
    ),
    rule(
        "slack-webhook-url",
        "Slack incoming webhook",
        r#"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9+/]{43,56})"#,
        &["hooks.slack.com"],
        r#"url = "https://hooks.slack.com/services/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""#,
        r#"url = "https://hooks.slack.com/services/T000/B000/abc""#,
    ),
    rule(
        "discord-api-token",
        "Discord API key",
        r#"(?i)(?:discord)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-f0-9]{64})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["discord"],
        r#"DISCORD_API_KEY = "0c4d292cf6312de70342ea36a7b8c57cd7139e0f05cb07947c8f5664027fcc17""#,
        r#"DISCORD_API_KEY = "152272ec924358a2f15c7c830a7b511159a5c39aaf82aba8b4b8aeccf7a8e38""#,
    )
    .entropy(3.0),
    rule(
        "discord-client-secret",
        "Discord client secret",
        r#"(?i)(?:discord)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([A-Za-z0-9_-]{32})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["discord"],
        r#"discord_client_secret = "E_vZ3gLx2DcqAcmry-Hv5TCjmL11BXEF""#,
        r#"discord_client_secret = "dcLl_aubYZys1u_VCQ17CnYUzW2xgpC""#,
    )
    .entropy(3.5),
    rule(
        "discord-bot-token",
        "Discord bot token",
        r#"\b([MN][A-Za-z\d]{23,25}\.[\w-]{6}\.[\w-]{27,38})\b"#,
        &["discord", "bot"],
        r#"DISCORD_BOT_TOKEN = "MNlWvrTWNXGWGZIliI4iF58kDt.sbL8Xs.6Xu2UK46ua7yefcVeOLg0KnWqcIc33""#,
        r#"DISCORD_BOT_TOKEN = "MdjSwcEd9Nz.XBRkN2.B2wrqc400SaZ6t56rb8wmciKpGagyn""#,
    ),
    rule(
        "discord-webhook-url",
        "Discord webhook",
        r#"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{17,20}/([\w-]{60,70})"#,
        &["discord"],
        r#"url = "https://discord.com/api/webhooks/501012393320946276/0IgOCcYP-Y0Ry3apzYQikphTS4iz3fcTdwto12v_nb-vBoM703b9VteYHWk_yWbj-lsd""#,
        r#"url = "https://discord.com/api/webhooks/287248171391478065/<token>""#,
    ),
    rule(
        "telegram-bot-api-token",
        "Telegram bot API token",
        r#"\b(\d{8,10}:AA[0-9A-Za-z_-]{33})(?:[^0-9A-Za-z_-]|$)"#,
        &[":aa"],
        r#"bot = "4614880376:AAwqKtVOJs0G8FEOb_2wRQtTKbLtKpZK0aP""#,
        r#"bot = "9835195844:AA501AyPudoO9m""#,
    ),
    rule(
        "microsoft-teams-webhook",
        "Microsoft Teams incoming webhook",
        r#"(https://[a-z0-9]+\.webhook\.office\.com/webhookb2/[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}@[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}/IncomingWebhook/[a-z0-9]{32}/[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12})"#,
        &["webhook.office.com"],
        r#"url = "https://acme.webhook.office.com/webhookb2/8782d663-45b3-2f54-b7e7-40eadd785166@6965f1eb-d2ff-3616-478d-b0e03c9ca75b/IncomingWebhook/baa54e4a9ec63e47cbec1a253482f1dc/98768b8f-d00e-dd07-6c1e-b5fc59385048""#,
        r#"url = "https://acme.webhook.office.com/webhookb2/<id>""#,
    ),
    rule(
        "mattermost-access-token",
        "Mattermost access token",
        r#"(?i)(?:mattermost)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-z0-9]{26})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["mattermost"],
        r#"MATTERMOST_TOKEN = "688u0sgezg0s632byx98mlqli9""#,
        r#"MATTERMOST_TOKEN = "lofux6cgmrsckqco0g45pl4xb""#,
    )
    .entropy(3.5),
    rule(
        "twitch-api-token",
        "Twitch API token",
        r#"(?i)(?:twitch)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-z0-9]{30})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["twitch"],
        r#"TWITCH_CLIENT_SECRET = "scdpgx6ak1qiudl61bwa17h5jn7iku""#,
        r#"TWITCH_CLIENT_SECRET = "6cxvly362f06wlorqp7o20qoxbtjc""#,
    )
    .entropy(3.5),
    rule(
        "intercom-api-key",
        "Intercom API token",
        r#"(?i)(?:intercom)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([A-Za-z0-9_-]{60})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["intercom"],
        r#"INTERCOM_ACCESS_TOKEN = "t6X2ivpHatsUj4RWQfTYddDRl64CA5MUcFQ5EbJ3peyfHHlSYURWHLZ45F7G""#,
        r#"INTERCOM_ACCESS_TOKEN = "5Y4Riz84EKit-eM1ygqu3E7JcQahV5sZKMeOMGNCGmDVjiAWu4nw51qPMxF""#,
    )
    .entropy(3.5),
    rule(
        "gitter-access-token",
        "Gitter access token",
        r#"(?i)(?:gitter)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([A-Za-z0-9_-]{40})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["gitter"],
        r#"GITTER_TOKEN = "axp_vK3m5diEbsTjoX71c2tPuS1DatPR7gExo2qO""#,
        r#"GITTER_TOKEN = "E1QHROyoGZ4vLONy1ekndzUdYowhvxA3nxgozXd""#,
    )
    .entropy(3.5),
    rule(
        "zendesk-secret-key",
        "Zendesk API token",
        r#"(?i)(?:zendesk)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-z0-9]{40})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["zendesk"],
        r#"ZENDESK_API_TOKEN = "lkmmvxp72h4nqodtmjagr9bybvxcmomb6xs0bqy2""#,
        r#"ZENDESK_API_TOKEN = "c7961l1u0qjxkvxm5ifq2p1dzrpxaa9ybdq0pgl""#,
    )
    .entropy(3.5),
    rule(
        "zapier-webhook-url",
        "Zapier webhook",
        r#"(https://(?:www\.)?hooks\.zapier\.com/hooks/catch/\d+/[a-z0-9]+/?)"#,
        &["hooks.zapier.com"],
        r#"url = "https://hooks.zapier.com/hooks/catch/2112877/ez8ru7m/""#,
        r#"url = "https://hooks.zapier.com/hooks/catch/<id>/""#,
    ),
    rule(
        "twitter-api-key",
        "Twitter API key",
        r#"(?i)(?:twitter)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-z0-9]{25})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["twitter"],
        r#"TWITTER_API_KEY = "b1t5pfkhh24ctljdch2nvnnoq""#,
        r#"TWITTER_API_KEY = "vsrdfduibbzx87z5zayikx7i""#,
    )
    .entropy(3.5),
    rule(
        "twitter-api-secret",
        "Twitter API secret",
        r#"(?i)(?:twitter)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-z0-9]{50})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["twitter"],
        r#"TWITTER_API_SECRET = "7su7p1x9czj9kbii7ok55zvzpsi2mrlz8nb6cxtbdlwz135u1x""#,
        r#"TWITTER_API_SECRET = "jn1ick7t7ev00jpf8l9dcinzdj0p28i7ikh8dqqnnq7fequao""#,
    )
    .entropy(3.5),
    rule(
        "twitter-bearer-token",
        "Twitter bearer token",
        r#"(?i)(?:twitter)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}(AAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9]{80,100})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["twitter"],
        r#"TWITTER_BEARER_TOKEN = "AAAAAAAAAAAAAAAAAAAAAGZKqESD3eZdXGeicM3vWE3S1LAfJtGEgmFoMuBngqPQADWdox72icAlYppXIoPX9io92wL0PUwGFaK2xUSyhPrBTTnOn8QbFVlW3""#,
        r#"TWITTER_BEARER_TOKEN = "AAAAAAAAAAAAAAAAAAAAAzOiX8dJ4Y7WpOLWXldi8zjUJFp7dfggX4x6GyLHECF7rbbreDWoW6nCBX8kR8gOqoBfKSPDBo6o8pM8""#,
    )
    .entropy(3.5),
    rule(
        "facebook-secret",
        "Facebook application secret",
        r#"(?i)(?:facebook)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-f0-9]{32})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["facebook"],
        r#"FACEBOOK_APP_SECRET = "e226b1fb26ddfd0379ce33db8771f70e""#,
        r#"FACEBOOK_APP_SECRET = "fd94f0ff594954053121613d8ba3816""#,
    )
    .entropy(3.0),
    rule(
        "facebook-page-access-token",
        "Facebook page access token",
        r#"\b(EAA[MC][A-Za-z0-9]{100,200})(?:[^A-Za-z0-9]|$)"#,
        &["eaam", "eaac"],
        r#"token = "EAAMX1I93nv0XUlx6VZhCthvNJDDbEV6kddt6TPWL6cgKyaTIwOVE5mq1EMFcWjiF4s9sN2U0sWn2EU9VXjgD7FDegbna7XVaO1y4mGyZc6SlMNuAX52JxbGJwUYp7EaqUA5ygH2huJwytBrWRhwUeglRmVZ5Q7kkX8icrsQMDLmvgYj9tdHt6MyEpsiSqSmbLbmA08jDkvZ""#,
        r#"token = "EAAM8fBx3a5GrVkgbPhcq6eCtQsNGm0ko2Jn0PO3QnWBJJmGmW1Jygh8iAlUrcbLy1gFE33zSKgUWXI5iNdAPUpn96xo8IjFwRW3fom""#,
    ),
    rule(
        "linkedin-client-secret",
        "LinkedIn client secret",
        r#"(?i)(?:linkedin|linked-in)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-z0-9]{16})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["linkedin", "linked-in"],
        r#"LINKEDIN_CLIENT_SECRET = "vrb3cxur0s99odh4""#,
        r#"LINKEDIN_CLIENT_SECRET = "g7rc311uw7vvw0g""#,
    )
    .entropy(3.5),
];
