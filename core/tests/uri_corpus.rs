//! The otpauth URI corpus: real-world shapes and every rejection, each with the fields or the
//! error expected. Expected values are written by hand from Key Uri Format, RFC 4648 base32
//! and privacyIDEA's enrollment URI, never produced by the code under test.

use tessera_core::account::{Algorithm, OtpKind};
use tessera_core::uri::{self, ParsedUri, UriError};

/// `JBSWY3DPEHPK3PXP`: 16 base32 characters = 80 bits = "Hello!" followed by 0xDEADBEEF.
const HELLO: &[u8] = b"Hello!\xde\xad\xbe\xef";
/// RFC 4226's test key "12345678901234567890" (base32 `GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ`).
const RFC: &[u8] = b"12345678901234567890";

/// Expected fields of an OTP account.
struct Want {
    issuer: &'static str,
    label: &'static str,
    secret: &'static [u8],
    kind: OtpKind,
    algorithm: Algorithm,
    digits: u8,
    period: u32,
    counter: u64,
    icon: Option<&'static str>,
    extra: &'static [(&'static str, &'static str)],
}

const TOTP: Want = Want {
    issuer: "",
    label: "",
    secret: HELLO,
    kind: OtpKind::Totp,
    algorithm: Algorithm::Sha1,
    digits: 6,
    period: 30,
    counter: 0,
    icon: None,
    extra: &[],
};
const HOTP: Want = Want {
    kind: OtpKind::Hotp,
    ..TOTP
};
const STEAM: Want = Want {
    kind: OtpKind::Steam,
    digits: 5,
    ..TOTP
};

/// Expected fields of a push enrollment.
struct PushWant {
    label: &'static str,
    issuer: &'static str,
    url: &'static str,
    ttl_minutes: Option<u32>,
    credential: &'static str,
    serial: &'static str,
    sslverify: bool,
    poll_only: bool,
    pin: bool,
    app_force_unlock: Option<&'static str>,
    image: Option<&'static str>,
    pia_scheme: bool,
    extra: &'static [(&'static str, &'static str)],
}

const CRED: &str = "9311ee50678983c0f29d3d843f86e39405e2b427";
const PUSH: PushWant = PushWant {
    label: "PIPU0001353C",
    issuer: "privacyIDEA",
    url: "https://192.168.178.32/ttype/push",
    ttl_minutes: Some(10),
    credential: CRED,
    serial: "PIPU0001353C",
    sslverify: true,
    poll_only: false,
    pin: false,
    app_force_unlock: None,
    image: None,
    pia_scheme: false,
    extra: &[],
};

enum Expect {
    Otp(Want),
    Push(PushWant),
    /// `parse` refuses the URI.
    Err(UriError),
    /// `parse` accepts it but `parse_otp` refuses it.
    OtpErr(UriError),
}
use Expect::{Err, Otp, OtpErr, Push};

const S: &str = "JBSWY3DPEHPK3PXP";

fn corpus() -> Vec<(&'static str, String, Expect)> {
    let with = |q: &str| format!("otpauth://totp/Example:alice?secret={S}{q}");
    let hotp = |q: &str| format!("otpauth://hotp/Example:alice?secret={S}{q}");
    let ex = |w: Want| Want {
        issuer: "Example",
        label: "alice",
        ..w
    };
    let pipush = |q: &str| {
        format!(
            "otpauth://pipush/PIPU0001353C?url=https%3A//192.168.178.32/ttype/push&ttl=10\
             &issuer=privacyIDEA&enrollment_credential={CRED}&v=1&serial=PIPU0001353C{q}"
        )
    };
    vec![
        // ---- Google's examples and the plain shapes ----
        (
            "google example",
            format!("otpauth://totp/Example:alice@google.com?secret={S}&issuer=Example"),
            Otp(Want {
                issuer: "Example",
                label: "alice@google.com",
                ..TOTP
            }),
        ),
        (
            "google full example with %3A and every parameter",
            format!(
                "otpauth://totp/ACME%20Co:john.doe@email.com?secret={S}&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30"
            ),
            Otp(Want {
                issuer: "ACME Co",
                label: "john.doe@email.com",
                ..TOTP
            }),
        ),
        (
            "label prefix with %3A",
            format!("otpauth://totp/ACME%3Ajohn?secret={S}"),
            Otp(Want {
                issuer: "ACME",
                label: "john",
                ..TOTP
            }),
        ),
        (
            "label prefix without issuer parameter",
            format!("otpauth://totp/GitHub:octocat?secret={S}"),
            Otp(Want {
                issuer: "GitHub",
                label: "octocat",
                ..TOTP
            }),
        ),
        (
            "space after the colon (raw)",
            format!("otpauth://totp/Example: alice?secret={S}"),
            Otp(ex(TOTP)),
        ),
        (
            "space after the colon (%20)",
            format!("otpauth://totp/Example:%20alice?secret={S}"),
            Otp(ex(TOTP)),
        ),
        (
            "space after %3A",
            format!("otpauth://totp/Example%3A%20alice?secret={S}&issuer=Example"),
            Otp(ex(TOTP)),
        ),
        (
            "issuer parameter wins over label prefix",
            format!("otpauth://totp/ACME:alice?secret={S}&issuer=Acme%20Corporation"),
            Otp(Want {
                issuer: "Acme Corporation",
                label: "alice",
                ..TOTP
            }),
        ),
        (
            "issuer parameter without label prefix",
            format!("otpauth://totp/alice?secret={S}&issuer=Example"),
            Otp(ex(TOTP)),
        ),
        (
            "missing issuer",
            format!("otpauth://totp/alice@example.com?secret={S}"),
            Otp(Want {
                label: "alice@example.com",
                ..TOTP
            }),
        ),
        (
            "empty issuer parameter falls back to the prefix",
            format!("otpauth://totp/Example:alice?secret={S}&issuer="),
            Otp(ex(TOTP)),
        ),
        (
            "issuer parameter containing a colon, repeated as prefix",
            format!("otpauth://totp/a%3Ab:c?secret={S}&issuer=a%3Ab"),
            Otp(Want {
                issuer: "a:b",
                label: "c",
                ..TOTP
            }),
        ),
        (
            "empty prefix keeps a colon in the account name",
            format!("otpauth://totp/:x%3Ay?secret={S}"),
            Otp(Want {
                label: "x:y",
                ..TOTP
            }),
        ),
        (
            "empty label with issuer",
            format!("otpauth://totp/?secret={S}&issuer=Example"),
            Otp(Want {
                issuer: "Example",
                ..TOTP
            }),
        ),
        (
            "no label and no slash",
            format!("otpauth://totp?secret={S}"),
            Otp(TOTP),
        ),
        (
            "slash inside the label",
            format!("otpauth://totp/Acme/Dept:alice?secret={S}"),
            Otp(Want {
                issuer: "Acme/Dept",
                label: "alice",
                ..TOTP
            }),
        ),
        (
            "raw # is text, not a fragment",
            format!("otpauth://totp/Issue#1:alice?secret={S}"),
            Otp(Want {
                issuer: "Issue#1",
                label: "alice",
                ..TOTP
            }),
        ),
        // ---- spaces, plus, Unicode ----
        (
            "+ for spaces",
            format!("otpauth://totp/Big+Corp:Alice+Smith?secret={S}&issuer=Big+Corp"),
            Otp(Want {
                issuer: "Big Corp",
                label: "Alice Smith",
                ..TOTP
            }),
        ),
        (
            "%20 for spaces",
            format!("otpauth://totp/Big%20Corp:Alice%20Smith?secret={S}&issuer=Big%20Corp"),
            Otp(Want {
                issuer: "Big Corp",
                label: "Alice Smith",
                ..TOTP
            }),
        ),
        (
            "%2B is a literal plus",
            format!("otpauth://totp/Example:alice%2Btag@example.com?secret={S}"),
            Otp(Want {
                issuer: "Example",
                label: "alice+tag@example.com",
                ..TOTP
            }),
        ),
        (
            "surrounding whitespace trimmed",
            format!("otpauth://totp/%20Example%20:%20alice%20?secret={S}"),
            Otp(ex(TOTP)),
        ),
        (
            "percent-encoded UTF-8",
            format!("otpauth://totp/%E6%97%A5%E6%9C%AC:%C3%BCser?secret={S}"),
            Otp(Want {
                issuer: "日本",
                label: "üser",
                ..TOTP
            }),
        ),
        (
            "raw Unicode",
            format!("otpauth://totp/Bücher:josé?secret={S}&issuer=Bücher"),
            Otp(Want {
                issuer: "Bücher",
                label: "josé",
                ..TOTP
            }),
        ),
        (
            "emoji issuer",
            format!("otpauth://totp/alice?secret={S}&issuer=%F0%9F%94%91%20Keys"),
            Otp(Want {
                issuer: "🔑 Keys",
                label: "alice",
                ..TOTP
            }),
        ),
        (
            "right-to-left text",
            format!("otpauth://totp/%D7%A9%D7%9C%D7%95%D7%9D:dana?secret={S}"),
            Otp(Want {
                issuer: "שלום",
                label: "dana",
                ..TOTP
            }),
        ),
        (
            "encoded ampersand and equals in issuer",
            format!("otpauth://totp/x?secret={S}&issuer=R%26D%3Dfun"),
            Otp(Want {
                issuer: "R&D=fun",
                label: "x",
                ..TOTP
            }),
        ),
        // ---- secrets ----
        (
            "lowercase secret",
            "otpauth://totp/Example:alice?secret=jbswy3dpehpk3pxp".into(),
            Otp(ex(TOTP)),
        ),
        (
            "mixed-case secret",
            "otpauth://totp/Example:alice?secret=JbSwY3dPeHpK3pXp".into(),
            Otp(ex(TOTP)),
        ),
        (
            "secret spaced with %20",
            "otpauth://totp/Example:alice?secret=JBSW%20Y3DP%20EHPK%203PXP".into(),
            Otp(ex(TOTP)),
        ),
        (
            "secret spaced with +",
            "otpauth://totp/Example:alice?secret=jbsw+y3dp+ehpk+3pxp".into(),
            Otp(ex(TOTP)),
        ),
        (
            "secret with hyphens",
            "otpauth://totp/Example:alice?secret=JBSW-Y3DP-EHPK-3PXP".into(),
            Otp(ex(TOTP)),
        ),
        (
            "padded secret, raw =",
            "otpauth://totp/x?secret=MFRGG===".into(),
            Otp(Want {
                label: "x",
                secret: b"abc",
                ..TOTP
            }),
        ),
        (
            "padded secret, %3D",
            "otpauth://totp/x?secret=MFRGG%3D%3D%3D".into(),
            Otp(Want {
                label: "x",
                secret: b"abc",
                ..TOTP
            }),
        ),
        (
            "unpadded secret",
            "otpauth://totp/x?secret=MFRGG".into(),
            Otp(Want {
                label: "x",
                secret: b"abc",
                ..TOTP
            }),
        ),
        (
            "160-bit secret",
            "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into(),
            Otp(Want {
                label: "x",
                secret: RFC,
                ..TOTP
            }),
        ),
        (
            "80-bit secret",
            format!("otpauth://totp/x?secret={S}"),
            Otp(Want { label: "x", ..TOTP }),
        ),
        // ---- parameters ----
        (
            "lowercase algorithm sha256",
            with("&algorithm=sha256"),
            Otp(ex(Want {
                algorithm: Algorithm::Sha256,
                ..TOTP
            })),
        ),
        (
            "algorithm SHA512",
            with("&algorithm=SHA512"),
            Otp(ex(Want {
                algorithm: Algorithm::Sha512,
                ..TOTP
            })),
        ),
        (
            "algorithm sha1 lowercase",
            with("&algorithm=sha1"),
            Otp(ex(TOTP)),
        ),
        (
            "algorithm SHA-256 spelling",
            with("&algorithm=SHA-256"),
            Otp(ex(Want {
                algorithm: Algorithm::Sha256,
                ..TOTP
            })),
        ),
        (
            "8 digits",
            with("&digits=8"),
            Otp(ex(Want { digits: 8, ..TOTP })),
        ),
        (
            "1 digit (lower bound)",
            with("&digits=1"),
            Otp(ex(Want { digits: 1, ..TOTP })),
        ),
        (
            "10 digits (upper bound)",
            with("&digits=10"),
            Otp(ex(Want { digits: 10, ..TOTP })),
        ),
        (
            "period 60",
            with("&period=60"),
            Otp(ex(Want { period: 60, ..TOTP })),
        ),
        (
            "period 1",
            with("&period=1"),
            Otp(ex(Want { period: 1, ..TOTP })),
        ),
        (
            "period 2^32-1",
            with("&period=4294967295"),
            Otp(ex(Want {
                period: u32::MAX,
                ..TOTP
            })),
        ),
        (
            "uppercase parameter names",
            format!("otpauth://totp/alice?SECRET={S}&Issuer=Example&DIGITS=8"),
            Otp(ex(Want { digits: 8, ..TOTP })),
        ),
        (
            "uppercase scheme and type",
            format!("OTPAUTH://TOTP/Example:alice?secret={S}"),
            Otp(ex(TOTP)),
        ),
        (
            "whitespace and newline around the URI",
            format!("  otpauth://totp/Example:alice?secret={S}\n"),
            Otp(ex(TOTP)),
        ),
        (
            "empty pieces between parameters",
            format!("otpauth://totp/Example:alice?&secret={S}&&issuer=Example&"),
            Otp(ex(TOTP)),
        ),
        (
            "image kept as icon",
            with("&image=https%3A%2F%2Fexample.com%2Ficon.png"),
            Otp(ex(Want {
                icon: Some("https://example.com/icon.png"),
                ..TOTP
            })),
        ),
        (
            "pin, serial, creator and unknown kept in order",
            with("&pin=True&serial=TOTP0001&creator=privacyIDEA&foo=b%20ar&flag"),
            Otp(ex(Want {
                extra: &[
                    ("pin", "True"),
                    ("serial", "TOTP0001"),
                    ("creator", "privacyIDEA"),
                    ("foo", "b ar"),
                    ("flag", ""),
                ],
                ..TOTP
            })),
        ),
        (
            "Ente's codeDisplay kept",
            with("&codeDisplay=%7B%22pinned%22%3Atrue%7D"),
            Otp(ex(Want {
                extra: &[("codeDisplay", "{\"pinned\":true}")],
                ..TOTP
            })),
        ),
        // ---- HOTP ----
        (
            "hotp with counter",
            hotp("&counter=5"),
            Otp(ex(Want { counter: 5, ..HOTP })),
        ),
        ("hotp without counter starts at 0", hotp(""), Otp(ex(HOTP))),
        (
            "hotp counter 2^64-1",
            hotp("&counter=18446744073709551615"),
            Otp(ex(Want {
                counter: u64::MAX,
                ..HOTP
            })),
        ),
        (
            "privacyIDEA hotp URI",
            format!("otpauth://hotp/OATH0001F662?secret={S}&counter=1&digits=6&issuer=privacyIDEA"),
            Otp(Want {
                issuer: "privacyIDEA",
                label: "OATH0001F662",
                counter: 1,
                ..HOTP
            }),
        ),
        (
            "period on hotp is kept, not used",
            hotp("&period=60&counter=2"),
            Otp(ex(Want {
                counter: 2,
                extra: &[("period", "60")],
                ..HOTP
            })),
        ),
        (
            "counter on totp is kept, not used",
            with("&counter=3"),
            Otp(ex(Want {
                extra: &[("counter", "3")],
                ..TOTP
            })),
        ),
        // ---- Steam ----
        (
            "steam type",
            format!("otpauth://steam/Steam:alice?secret={S}&issuer=Steam"),
            Otp(Want {
                issuer: "Steam",
                label: "alice",
                ..STEAM
            }),
        ),
        (
            "steam type with explicit digits=5",
            format!("otpauth://steam/Steam:alice?secret={S}&digits=5&algorithm=SHA1&period=30"),
            Otp(Want {
                issuer: "Steam",
                label: "alice",
                ..STEAM
            }),
        ),
        (
            "KeePassXC encoder=steam",
            format!(
                "otpauth://totp/Steam:alice?secret={S}&period=30&digits=5&issuer=Steam&encoder=steam"
            ),
            Otp(Want {
                issuer: "Steam",
                label: "alice",
                ..STEAM
            }),
        ),
        (
            "Steam Desktop Authenticator uri (issuer Steam, no digits)",
            format!("otpauth://totp/Steam:alice?secret={S}&issuer=Steam"),
            Otp(Want {
                issuer: "Steam",
                label: "alice",
                ..STEAM
            }),
        ),
        (
            "issuer Steam with digits=6 stays TOTP",
            format!("otpauth://totp/Steam:alice?secret={S}&issuer=Steam&digits=6"),
            Otp(Want {
                issuer: "Steam",
                label: "alice",
                ..TOTP
            }),
        ),
        (
            "other encoder kept",
            with("&encoder=base26"),
            Otp(ex(Want {
                extra: &[("encoder", "base26")],
                ..TOTP
            })),
        ),
        // ---- push enrollments ----
        (
            "privacyIDEA push enrollment",
            pipush("&sslverify=1"),
            Push(PUSH),
        ),
        (
            "push with sslverify=0 and poll_only",
            pipush("&sslverify=0&poll_only=True"),
            Push(PushWant {
                sslverify: false,
                poll_only: true,
                ..PUSH
            }),
        ),
        (
            "push with pin, unlock and image",
            pipush(
                "&pin=True&app_force_unlock=biometric&image=https%3A%2F%2Fpi.example%2Fi.png&poll_only=False",
            ),
            Push(PushWant {
                pin: true,
                app_force_unlock: Some("biometric"),
                image: Some("https://pi.example/i.png"),
                ..PUSH
            }),
        ),
        (
            "pia scheme",
            pipush("").replacen("otpauth://", "pia://", 1),
            Push(PushWant {
                pia_scheme: true,
                ..PUSH
            }),
        ),
        (
            "push without v, ttl or sslverify",
            format!(
                "otpauth://pipush/PIPU0001353C?url=https%3A%2F%2F192.168.178.32%2Fttype%2Fpush&enrollment_credential={CRED}&serial=PIPU0001353C"
            ),
            Push(PushWant {
                issuer: "",
                ttl_minutes: None,
                ..PUSH
            }),
        ),
        (
            "push keeps Firebase parameters of old servers",
            pipush("&projectid=test-d1231&projectnumber=850240559999"),
            Push(PushWant {
                extra: &[
                    ("projectid", "test-d1231"),
                    ("projectnumber", "850240559999"),
                ],
                ..PUSH
            }),
        ),
        (
            "parse_otp refuses a push enrollment",
            pipush(""),
            OtpErr(UriError::NotAnOtpAccount),
        ),
        // ---- rejections ----
        ("empty text", "".into(), Err(UriError::Empty)),
        ("only whitespace", " \n\t".into(), Err(UriError::Empty)),
        (
            "not a URI",
            "JBSWY3DPEHPK3PXP".into(),
            Err(UriError::Malformed),
        ),
        (
            "scheme without //",
            format!("otpauth:totp/x?secret={S}"),
            Err(UriError::Malformed),
        ),
        (
            "empty scheme",
            format!("://totp/x?secret={S}"),
            Err(UriError::Malformed),
        ),
        (
            "http scheme",
            format!("http://totp/x?secret={S}"),
            Err(UriError::WrongScheme),
        ),
        (
            "Google migration URI is not an account",
            "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8".into(),
            Err(UriError::WrongScheme),
        ),
        (
            "pia scheme for totp",
            format!("pia://totp/x?secret={S}"),
            Err(UriError::WrongScheme),
        ),
        (
            "unknown type yaotp",
            format!("otpauth://yaotp/x?secret={S}"),
            Err(UriError::UnknownType),
        ),
        (
            "unknown type motp",
            format!("otpauth://motp/x?secret={S}"),
            Err(UriError::UnknownType),
        ),
        (
            "empty type",
            format!("otpauth:///x?secret={S}"),
            Err(UriError::UnknownType),
        ),
        (
            "missing secret",
            "otpauth://totp/Example:alice?issuer=Example".into(),
            Err(UriError::MissingSecret),
        ),
        (
            "no query at all",
            "otpauth://totp/Example:alice".into(),
            Err(UriError::MissingSecret),
        ),
        (
            "empty secret",
            "otpauth://totp/x?secret=&issuer=A".into(),
            Err(UriError::EmptySecret),
        ),
        (
            "secret of only padding",
            "otpauth://totp/x?secret=%3D%3D%3D".into(),
            Err(UriError::EmptySecret),
        ),
        (
            "secret of only spaces",
            "otpauth://totp/x?secret=+++".into(),
            Err(UriError::EmptySecret),
        ),
        (
            "secret with punctuation",
            "otpauth://totp/x?secret=QWERT!£$%^)*(YUIOP".into(),
            Err(UriError::SecretNotBase32 { position: 6 }),
        ),
        (
            "secret with digit 1",
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PX1".into(),
            Err(UriError::SecretNotBase32 { position: 16 }),
        ),
        (
            "secret with digit 0",
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP0".into(),
            Err(UriError::SecretNotBase32 { position: 17 }),
        ),
        (
            "secret in hex style",
            "otpauth://totp/x?secret=0xdeadbeef".into(),
            Err(UriError::SecretNotBase32 { position: 1 }),
        ),
        (
            "secret with one character",
            "otpauth://totp/x?secret=A".into(),
            Err(UriError::SecretLength { len: 1 }),
        ),
        (
            "secret with impossible length 3",
            "otpauth://totp/x?secret=ABC".into(),
            Err(UriError::SecretLength { len: 3 }),
        ),
        (
            "algorithm MD5",
            with("&algorithm=MD5"),
            Err(UriError::UnsupportedAlgorithm),
        ),
        (
            "empty algorithm",
            with("&algorithm="),
            Err(UriError::UnsupportedAlgorithm),
        ),
        (
            "algorithm SHA3",
            with("&algorithm=SHA3-256"),
            Err(UriError::UnsupportedAlgorithm),
        ),
        (
            "digits 0",
            with("&digits=0"),
            Err(UriError::DigitsOutOfRange),
        ),
        (
            "digits 11",
            with("&digits=11"),
            Err(UriError::DigitsOutOfRange),
        ),
        (
            "digits 256",
            with("&digits=256"),
            Err(UriError::DigitsOutOfRange),
        ),
        (
            "digits beyond u64",
            with("&digits=99999999999999999999999"),
            Err(UriError::DigitsOutOfRange),
        ),
        (
            "digits as a word",
            with("&digits=six"),
            Err(UriError::DigitsNotANumber),
        ),
        (
            "negative digits",
            with("&digits=-6"),
            Err(UriError::DigitsNotANumber),
        ),
        (
            "empty digits",
            with("&digits="),
            Err(UriError::DigitsNotANumber),
        ),
        (
            "fractional digits",
            with("&digits=6.5"),
            Err(UriError::DigitsNotANumber),
        ),
        ("period 0", with("&period=0"), Err(UriError::ZeroPeriod)),
        (
            "period 0 on hotp",
            hotp("&period=0"),
            Err(UriError::ZeroPeriod),
        ),
        (
            "period as a word",
            with("&period=thirty"),
            Err(UriError::PeriodNotANumber),
        ),
        (
            "negative period",
            with("&period=-30"),
            Err(UriError::PeriodNotANumber),
        ),
        (
            "period 30s",
            with("&period=30s"),
            Err(UriError::PeriodNotANumber),
        ),
        (
            "period beyond u32",
            with("&period=4294967296"),
            Err(UriError::PeriodTooLarge),
        ),
        (
            "counter as a word",
            hotp("&counter=one"),
            Err(UriError::CounterNotANumber),
        ),
        (
            "negative counter",
            hotp("&counter=-1"),
            Err(UriError::CounterNotANumber),
        ),
        (
            "counter beyond u64",
            hotp("&counter=18446744073709551616"),
            Err(UriError::CounterNotANumber),
        ),
        (
            "empty counter",
            hotp("&counter="),
            Err(UriError::CounterNotANumber),
        ),
        (
            "secret given twice",
            with("&secret=MFRGG"),
            Err(UriError::DuplicateParameter { name: "secret" }),
        ),
        (
            "issuer given twice",
            with("&issuer=A&issuer=B"),
            Err(UriError::DuplicateParameter { name: "issuer" }),
        ),
        (
            "steam with 6 digits",
            format!("otpauth://steam/x?secret={S}&digits=6"),
            Err(UriError::SteamDigits),
        ),
        (
            "encoder=steam with 8 digits",
            with("&encoder=steam&digits=8"),
            Err(UriError::SteamDigits),
        ),
        (
            "line break in label",
            format!("otpauth://totp/Example:al%0Aice?secret={S}"),
            Err(UriError::ControlCharacter { field: "label" }),
        ),
        (
            "terminal escape in issuer",
            with("&issuer=%1B%5B31mEvil"),
            Err(UriError::ControlCharacter { field: "issuer" }),
        ),
        (
            "invalid UTF-8 in label",
            format!("otpauth://totp/%FF%FE:alice?secret={S}"),
            Err(UriError::InvalidUtf8 { field: "label" }),
        ),
        (
            "invalid UTF-8 in issuer",
            with("&issuer=%C3%28"),
            Err(UriError::InvalidUtf8 { field: "issuer" }),
        ),
        (
            "push without url",
            format!("otpauth://pipush/P?enrollment_credential={CRED}&serial=P"),
            Err(UriError::MissingPushParameter { name: "url" }),
        ),
        (
            "push without credential",
            "otpauth://pipush/P?url=https%3A//pi.example/ttype/push&serial=P".into(),
            Err(UriError::MissingPushParameter {
                name: "enrollment_credential",
            }),
        ),
        (
            "push without serial",
            format!(
                "otpauth://pipush/P?url=https%3A//pi.example/ttype/push&enrollment_credential={CRED}"
            ),
            Err(UriError::MissingPushParameter { name: "serial" }),
        ),
        (
            "push with ftp url",
            format!(
                "otpauth://pipush/P?url=ftp%3A//pi.example/x&enrollment_credential={CRED}&serial=P"
            ),
            Err(UriError::InvalidPushUrl),
        ),
        (
            "push with ttl as a word",
            pipush("&ttl=ten").replacen("&ttl=10", "", 1),
            Err(UriError::InvalidPushParameter { name: "ttl" }),
        ),
        (
            "push version 2",
            pipush("").replacen("&v=1", "&v=2", 1),
            Err(UriError::UnsupportedPushVersion),
        ),
        (
            "push with sslverify=maybe",
            pipush("&sslverify=maybe"),
            Err(UriError::InvalidPushParameter { name: "sslverify" }),
        ),
        (
            "push with serial twice",
            pipush("&serial=X"),
            Err(UriError::DuplicateParameter { name: "serial" }),
        ),
    ]
}

#[test]
fn corpus_has_at_least_sixty_cases() {
    let cases = corpus();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    println!("uri corpus: {} cases", cases.len());
}

#[test]
fn every_corpus_uri_parses_as_expected() {
    for (name, text, expect) in corpus() {
        let parsed = uri::parse(&text);
        match expect {
            Otp(want) => {
                let Ok(ParsedUri::Otp(a)) = parsed else {
                    panic!("{name}: expected an OTP account, got {parsed:?}")
                };
                assert_eq!(a.issuer, want.issuer, "{name}: issuer");
                assert_eq!(a.label, want.label, "{name}: label");
                assert_eq!(a.secret.as_bytes(), want.secret, "{name}: secret");
                assert_eq!(a.params.kind, want.kind, "{name}: kind");
                assert_eq!(a.params.algorithm, want.algorithm, "{name}: algorithm");
                assert_eq!(a.params.digits, want.digits, "{name}: digits");
                assert_eq!(a.params.period, want.period, "{name}: period");
                assert_eq!(a.params.counter, want.counter, "{name}: counter");
                assert_eq!(a.meta.icon.as_deref(), want.icon, "{name}: icon");
                let extra: Vec<(&str, &str)> = a
                    .extra
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                assert_eq!(extra, want.extra, "{name}: extra");
                assert_eq!(uri::parse_otp(&text).as_ref(), Ok(&a), "{name}: parse_otp");
            }
            Push(want) => {
                let Ok(ParsedUri::Push(p)) = parsed else {
                    panic!("{name}: expected a push enrollment, got {parsed:?}")
                };
                assert_eq!(p.label, want.label, "{name}: label");
                assert_eq!(p.issuer, want.issuer, "{name}: issuer");
                assert_eq!(p.url, want.url, "{name}: url");
                assert_eq!(p.ttl_minutes, want.ttl_minutes, "{name}: ttl");
                assert_eq!(
                    p.enrollment_credential.as_str(),
                    want.credential,
                    "{name}: credential"
                );
                assert_eq!(p.serial, want.serial, "{name}: serial");
                assert_eq!(p.sslverify, want.sslverify, "{name}: sslverify");
                assert_eq!(p.poll_only, want.poll_only, "{name}: poll_only");
                assert_eq!(p.pin, want.pin, "{name}: pin");
                assert_eq!(
                    p.app_force_unlock.as_deref(),
                    want.app_force_unlock,
                    "{name}: unlock"
                );
                assert_eq!(p.image.as_deref(), want.image, "{name}: image");
                assert_eq!(p.version, 1, "{name}: version");
                assert_eq!(p.pia_scheme, want.pia_scheme, "{name}: pia");
                let extra: Vec<(&str, &str)> = p
                    .extra
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                assert_eq!(extra, want.extra, "{name}: extra");
            }
            Err(want) => {
                assert_eq!(parsed, Result::Err(want.clone()), "{name}");
                assert_eq!(
                    uri::parse_otp(&text),
                    Result::Err(want),
                    "{name}: parse_otp"
                );
            }
            OtpErr(want) => {
                assert!(parsed.is_ok(), "{name}: parse should accept it");
                assert_eq!(uri::parse_otp(&text), Result::Err(want), "{name}");
            }
        }
    }
}

#[test]
fn error_messages_never_contain_the_uri_or_its_secret() {
    for (name, text, expect) in corpus() {
        if !matches!(expect, Err(_) | OtpErr(_)) {
            continue;
        }
        let message = match uri::parse_otp(&text) {
            Result::Err(e) => e.to_string(),
            Ok(_) => panic!("{name}: expected an error"),
        };
        assert!(!message.is_empty(), "{name}");
        let trimmed = text.trim();
        assert!(
            trimmed.is_empty() || !message.contains(trimmed),
            "{name}: {message}"
        );
        for secretish in [S, CRED, "QWERT", "0xdeadbeef", "MFRGG"] {
            assert!(!message.contains(secretish), "{name}: {message}");
        }
    }
}

#[test]
fn canonical_form_of_corpus_accounts_reparses_to_the_same_account() {
    for (name, text, expect) in corpus() {
        if let Otp(_) = expect {
            let account = uri::parse_otp(&text).unwrap();
            let again = uri::parse_otp(&uri::format(&account)).unwrap();
            assert_eq!(again, account, "{name}");
        }
    }
}

#[test]
fn link_kind_routes_accounts_push_enrollments_and_transfers() {
    // The transfer link is the first line of the fixture written by make_fixtures.py with
    // Google's protobuf schema (an independent encoder).
    let fixture = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/transfer/google_migration.txt"
    ))
    .unwrap();
    let transfer = fixture.lines().next().unwrap().to_owned();
    let cases: Vec<(&str, String, Result<uri::LinkKind, UriError>)> = vec![
        (
            "totp",
            format!("otpauth://totp/A:b?secret={S}"),
            Result::Ok(uri::LinkKind::Otp),
        ),
        (
            "steam",
            format!(" otpauth://steam/Steam:b?secret={S}\n"),
            Result::Ok(uri::LinkKind::Otp),
        ),
        (
            "pipush",
            format!(
                "otpauth://pipush/L?url=https%3A//pi.example/ttype/push&enrollment_credential={CRED}&serial=PIPU1&v=1"
            ),
            Result::Ok(uri::LinkKind::PushEnrollment),
        ),
        (
            "pia scheme",
            format!(
                "pia://pipush/L?url=https%3A//pi.example/ttype/push&enrollment_credential={CRED}&serial=PIPU1&v=1"
            ),
            Result::Ok(uri::LinkKind::PushEnrollment),
        ),
        (
            "transfer",
            transfer.clone(),
            Result::Ok(uri::LinkKind::ImportBatch),
        ),
        (
            "transfer, scheme in capitals, line break around",
            format!(
                "\n{}\n",
                transfer.replacen("otpauth-migration", "OTPAUTH-MIGRATION", 1)
            ),
            Result::Ok(uri::LinkKind::ImportBatch),
        ),
        (
            "transfer without data",
            "otpauth-migration://offline".into(),
            Result::Err(UriError::BadMigration),
        ),
        (
            "transfer whose data is not base64",
            "otpauth-migration://offline?data=%%%".into(),
            Result::Err(UriError::BadMigration),
        ),
        (
            "transfer whose data is not a payload",
            "otpauth-migration://offline?data=QUJD".into(),
            Result::Err(UriError::BadMigration),
        ),
        (
            "account without secret",
            "otpauth://totp/A:b".into(),
            Result::Err(UriError::MissingSecret),
        ),
        (
            "web link",
            "https://example.org/".into(),
            Result::Err(UriError::WrongScheme),
        ),
        (
            "plain text",
            "hello".into(),
            Result::Err(UriError::Malformed),
        ),
        ("empty", "  ".into(), Result::Err(UriError::Empty)),
    ];
    for (name, text, want) in cases {
        assert_eq!(uri::link_kind(&text), want, "{name}");
    }
}
