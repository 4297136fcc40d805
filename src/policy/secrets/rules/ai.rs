//! AI and machine-learning platform credentials: OpenAI, Anthropic, Hugging Face and others.

use crate::policy::secrets::rule::{RuleDef, rule};

/// AI platform rules.
pub const RULES: &[RuleDef] = &[
    rule(
        "openai-api-key",
        "OpenAI API key",
        r#"\b(sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,74}|[A-Za-z0-9]{20})T3BlbkFJ[A-Za-z0-9_-]{20,74})(?:[^A-Za-z0-9_-]|$)"#,
        &["t3blbkfj"],
        r#"OPENAI_API_KEY = "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""#,
        r#"OPENAI_API_KEY = "sk-proj-RDDmGG1MHZlApi89aAY6sA7xxHv6l9UF9d8dxA_raNFbMkoo5kmozpi_Ov""#,
    ),
    rule(
        "anthropic-api-key",
        "Anthropic API key",
        r#"\b(sk-ant-api03-[A-Za-z0-9_-]{95})(?:[^A-Za-z0-9_-]|$)"#,
        &["sk-ant-api03-"],
        r#"token = "sk-ant-api03-PBr2cdJLT1bc5gCO7FCOPOfsHYao9h5SlWZCzJs6DdB1QRwmyjC-FWfP64ojXa_6eGqAismkSVRbSd37gl4jAYtzWKjRJ-l""#,
        r#"token = "sk-ant-api03-YCoaW3Si7QIJlylSgHKCFsvoNH-lgU48QCLnX_qtlh9C0PQBuhUfkeLu6veX4ZiV6mQcw5q8vID64FOo7oVQuynyRicUUz""#,
    ),
    rule(
        "anthropic-admin-api-key",
        "Anthropic admin API key",
        r#"\b(sk-ant-admin01-[A-Za-z0-9_-]{95})(?:[^A-Za-z0-9_-]|$)"#,
        &["sk-ant-admin01-"],
        r#"token = "sk-ant-admin01-fAraDRNRT8KsIFJfnALCrfSLF6ozOa_EpiZHTOnk8qCv88XvZVlGKgOY6-lMmRbWUeSc3TKobVUo2lHKtu9XzRpkYW7ZSjx""#,
        r#"token = "sk-ant-admin01-saS655MgJ4n-mcNLeePxHQuSgAcLekl3rWOflBFtfOlImqcXUKsw08h6fb5d2mqt9xZw-t_Oj6pMpsqPseiLCNOeMX-GWS""#,
    ),
    rule(
        "perplexity-api-key",
        "Perplexity API key",
        r#"\b(pplx-[A-Za-z0-9]{48})(?:[^A-Za-z0-9]|$)"#,
        &["pplx-"],
        r#"token = "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""#,
        r#"token = "pplx-YFm90f2uSaqvAFYqGmzzO8O21xIhIlJKnQhau9lKz0Jjt2B""#,
    ),
    rule(
        "groq-api-key",
        "Groq API key",
        r#"\b(gsk_[A-Za-z0-9]{52})(?:[^A-Za-z0-9]|$)"#,
        &["gsk_"],
        r#"token = "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""#,
        r#"token = "gsk_jZ5LwOZ8bwPvDsvH5TkcBpwyeAkKYtWBPThIOYRtgmeLNMJBgmn""#,
    ),
    rule(
        "replicate-api-token",
        "Replicate API token",
        r#"\b(r8_[A-Za-z0-9]{37})(?:[^A-Za-z0-9]|$)"#,
        &["r8_"],
        r#"token = "r8_nEOojeg5Ys5sYiC4Oh7DKn32FFkn2OFdYnS7F""#,
        r#"token = "r8_IGuLQwquUmkt4ForemDKi2gxYOZtsRwG3jB4""#,
    ),
    rule(
        "huggingface-access-token",
        "Hugging Face access token",
        r#"\b(hf_[A-Za-z]{34})(?:[^A-Za-z]|$)"#,
        &["hf_"],
        r#"token = "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""#,
        r#"token = "hf_VnycsYiZeuPURchpmHQqCkxfqiwXMbgQF""#,
    ),
    rule(
        "huggingface-organization-api-token",
        "Hugging Face organisation API token",
        r#"\b(api_org_[A-Za-z]{34})(?:[^A-Za-z]|$)"#,
        &["api_org_"],
        r#"token = "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""#,
        r#"token = "api_org_COmhOFSpfNXNMoqMiZoWkauXglfnppKBp""#,
    ),
    rule(
        "xai-api-key",
        "xAI API key",
        r#"\b(xai-[A-Za-z0-9]{80})(?:[^A-Za-z0-9]|$)"#,
        &["xai-"],
        r#"token = "xai-Iard87qBTMtxKhuZyL71bYQUBNlWvrTWNXGWGZIliI4iF58kDtsbL8Xs6Xu2UK46ua7yefcVeOLg0KnW""#,
        r#"token = "xai-qcIc33UVsqOAvxTVUQqAKsvpHhdjSwcEd9NzXBRkN2B2wrqc400SaZ6t56rb8wmciKpGagynXCtEBHJ""#,
    ),
    rule(
        "cohere-api-token",
        "Cohere API key",
        r#"(?i)(?:cohere|co_api)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([A-Za-z0-9]{40})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["cohere", "co_api"],
        r#"COHERE_API_KEY = "NmOMIAkRbLofaao2oEz1QHg9p6vgkvyBOMoHfihM""#,
        r#"COHERE_API_KEY = "a91q0qI22ZbozmN2uUqkvsZMIR80SUyQJqJgr2c""#,
    )
    .entropy(4.0),
    rule(
        "mistral-api-key",
        "Mistral API key",
        r#"(?i)(?:mistral)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([A-Za-z0-9]{32})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["mistral"],
        r#"MISTRAL_API_KEY = "RZb3qp2iPhO7JOYWU0abroXf6lvTNfXA""#,
        r#"MISTRAL_API_KEY = "UGd8ajtnbnNeKnWPq5MDLhSfZgLsogw""#,
    )
    .entropy(4.0),
    rule(
        "deepseek-api-key",
        "DeepSeek API key",
        r#"(?i)(?:deepseek)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}(sk-[a-f0-9]{32})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["deepseek"],
        r#"DEEPSEEK_API_KEY = "sk-68f9b74e493e2729e0cb9d2806fdca2b""#,
        r#"DEEPSEEK_API_KEY = "sk-532bd1f1136fdc44b4262b2a62d636a""#,
    )
    .entropy(3.0),
    rule(
        "langsmith-api-key",
        "LangSmith API key",
        r#"\b(lsv2_(?:pt|sk)_[a-f0-9]{32})(?:[^a-f0-9]|$)"#,
        &["lsv2_"],
        r#"token = "lsv2_pt_3a98edd0c3b7a3f98782d66345b32f54""#,
        r#"token = "lsv2_pt_b7e740eadd7851666965f1ebd2ff361""#,
    ),
    rule(
        "pinecone-api-key",
        "Pinecone API key",
        r#"\b(pcsk_[A-Za-z0-9_-]{60,100})(?:[^A-Za-z0-9_-]|$)"#,
        &["pcsk_"],
        r#"token = "pcsk_aSch3uA5CNznyocVvnieaiuj91CC720AfZzE7vV8yUnNjWCTgtroXS7Qqk7zYM5Sewu4wHoKVPSgL_G3wp0lNJzN1l64DwvYXhWR""#,
        r#"token = "pcsk_WcLovFNZikFUhEd1M9-eW9uCkFHfNvBV3gRpGX3DtB2P-SaRUpFurXw64K0""#,
    ),
    rule(
        "assemblyai-api-key",
        "AssemblyAI API key",
        r#"(?i)(?:assemblyai)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-f0-9]{32})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["assemblyai"],
        r#"ASSEMBLYAI_API_KEY = "b578877ed87b0941be5d8ba16bb58e45""#,
        r#"ASSEMBLYAI_API_KEY = "474677049ee00e35714e162da7c7119""#,
    )
    .entropy(3.0),
    rule(
        "elevenlabs-api-key",
        "ElevenLabs API key",
        r#"(?i)(?:elevenlabs|xi-api-key)[ \t\w.-]{0,20}?(?:key|token|secret|passw|pwd|auth|cred|pat|sid)[ \t\w.-]{0,20}[\s\x27"]{0,3}(?:=|:{1,3}=|:|=>|\?=)[\s\x27"\x60]{0,5}([a-f0-9]{32})(?:[\s\x27"\x60;,)]|\\[nr]|$)"#,
        &["elevenlabs", "xi-api-key"],
        r#"ELEVENLABS_API_KEY = "46545126ee1e17f6383b579a56332657""#,
        r#"ELEVENLABS_API_KEY = "3537cae9ebf29d1b9e1428d3a375d65""#,
    )
    .entropy(3.0),
];
