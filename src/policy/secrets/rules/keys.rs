//! Private keys and signed tokens: PEM, OpenSSH, PGP, PuTTY and age keys, JWTs.

use crate::policy::secrets::rule::{RuleDef, rule};

/// Key material rules.
pub const RULES: &[RuleDef] = &[
    rule(
        "private-key",
        "PEM private key (RSA, EC, DSA, PKCS#8, encrypted)",
        r#"(-----BEGIN (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----[\s\S]{64,}?-----END (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----)"#,
        &["private key-----"],
        "-----BEGIN RSA PRIVATE KEY-----\nMIIshffH9dC490lQ+D/8XmQlUQDXMHIFaHP1hsoMiHbvRvorzEbTHH2Jr76metW4U0n\nQcrIIZK5sLaptIprvHLG830vq0cMz4kYbAvT3MToxJ1oAPTDsjp8jqzgu5gZGXw7\nOZIll3X3BHz/C1Nr2f48FgbNTfcgsDTTMsTAp53X\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
    )
    .block(64 << 10),
    rule(
        "openssh-private-key",
        "OpenSSH private key",
        r#"(-----BEGIN OPENSSH PRIVATE KEY-----[\s\S]{64,}?-----END OPENSSH PRIVATE KEY-----)"#,
        &["begin openssh private key"],
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAALIkVptvQb6AfoQKjs/qiD6Fvpi0ldGO8MjE623otrqt1NzA6uoDDkN7TuIj6Sucf\nd7UO+kcHKgmXQkhavz7pkGrkeShYiWEjojxPsYrOFSo4XtD/cfgTF3TUFCyxDYUG\nLZmcSIN57Vd4i4ip3xNyMRidlYfSrHL03susd3tn\n-----END OPENSSH PRIVATE KEY-----",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n<key>\n-----END OPENSSH PRIVATE KEY-----",
    )
    .block(64 << 10),
    rule(
        "pgp-private-key-block",
        "PGP private key block",
        r#"(-----BEGIN PGP PRIVATE KEY BLOCK-----[\s\S]{64,}?-----END PGP PRIVATE KEY BLOCK-----)"#,
        &["begin pgp private key block"],
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBFubd4d3LlPmsXrNJqcnIzM2sYbBHW8shcVY8L+iyXB8OsJEwkO9xItRPuKbBFyy5H\nofW1etbLgHm0D718KoHE8DR6EjMZnZaOBTdv/HFfYHc700L4LMnbRZSEI9nanpbp\nbew9jWV/271EkwuumWIB7A+YzkCHH0losoWXU3Jd\n-----END PGP PRIVATE KEY BLOCK-----",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n-----END PGP PRIVATE KEY BLOCK-----",
    )
    .block(64 << 10),
    rule(
        "putty-private-key",
        "PuTTY private key file",
        r#"(PuTTY-User-Key-File-\d: [\s\S]{0,400}?Private-Lines: \d+\s+[A-Za-z0-9+/=\s]{32,})"#,
        &["putty-user-key-file-"],
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\nPublic-Lines: 2\n3fEcXx9acUC+j+G7sdhYDpW1yNKfGkIRQAbJWA1rc7UmV2mRD5emDUMJq2l2cwbz\nbsXQ\nPrivate-Lines: 1\nuysd0f/EXEuNscunXS2gzBRA570BF4X16xZgEaPHweit\nPrivate-MAC: e2dadafb17755e7495d38dd71ea2f7be623a784c2f75ff5e110d7c7eb443655c",
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none",
    )
    .block(8 << 10),
    rule(
        "age-secret-key",
        "age encryption secret key",
        r#"(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})"#,
        &["age-secret-key-1"],
        "# key\nAGE-SECRET-KEY-1TZ32VJEKYUQLCRKP7VYAXKTNJ854A0SPTF0TJYP7XTR99AAK0F7CF3XWWV",
        r#"AGE-SECRET-KEY-1QPZRY"#,
    ),
    rule(
        "jwt",
        "JSON Web Token",
        r#"\b(eyJ[A-Za-z0-9_-]{15,}\.eyJ[A-Za-z0-9_-]{15,}\.[A-Za-z0-9_-]{10,}={0,2})"#,
        &["eyj"],
        r#"Authorization = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJEtj-Fj-ry25AFJUvWNabSQ6rwaafH5t79Ov363PV.TUmDSeJEd-TWOTRbpreBHnjdWVw3WCWEE4SaN1l-7dK""#,
        r#"token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0""#,
    ),
    rule(
        "ssh-password-in-url",
        "SSH or FTP URL with a password",
        r#"\b(?:s?ftp|ssh|sftp|scp)://[^:@/\s\x27"]{1,64}:([^@/\s\x27"]{3,128})@[\w.-]+"#,
        &["://"],
        r#"remote = "sftp://deploy:Qyqp3SKaWmfVWT@files.internal""#,
        r#"remote = "sftp://deploy:${SFTP_PASS}@files.internal""#,
    ),
];
