//! Property tests of the URI module: no input makes it panic, and the canonical form reads back
//! as the account it was written from.

use proptest::prelude::*;
use tessera_core::account::{Account, AccountMeta, Algorithm, OtpKind, OtpParams};
use tessera_core::secret::Secret;
use tessera_core::uri;

/// Text as parse leaves it: no control characters, no surrounding whitespace. Mixes arbitrary
/// printable Unicode with the characters that have a meaning inside a URI.
fn name_text() -> impl Strategy<Value = String> {
    prop_oneof!["\\PC{0,16}", "[a-zA-Z0-9 :?&%+=#/@.~_\\-éü日🔑]{0,16}",]
        .prop_map(|s| s.trim().to_owned())
}

fn account() -> impl Strategy<Value = Account> {
    let kind = prop_oneof![
        Just(OtpKind::Totp),
        Just(OtpKind::Hotp),
        Just(OtpKind::Steam)
    ];
    let algorithm = prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ];
    let extra = proptest::collection::vec(("x[a-z_]{0,6}", "\\PC{0,10}"), 0..4);
    (
        (
            name_text(),
            name_text(),
            proptest::collection::vec(any::<u8>(), 1..64),
        ),
        (kind, algorithm, 1u8..=10, 1u32..=u32::MAX, any::<u64>()),
        (proptest::option::of("[a-z:/.%?&= ]{1,20}"), extra),
    )
        .prop_map(
            |((issuer, label, key), (kind, algorithm, digits, period, counter), (icon, extra))| {
                // The parameters a URI can carry for each kind (see OtpParams' field docs).
                let params = match kind {
                    OtpKind::Totp => OtpParams {
                        algorithm,
                        digits,
                        period,
                        ..OtpParams::totp()
                    },
                    OtpKind::Hotp => OtpParams {
                        algorithm,
                        digits,
                        ..OtpParams::hotp(counter)
                    },
                    OtpKind::Steam => OtpParams {
                        algorithm,
                        period,
                        ..OtpParams::steam()
                    },
                };
                Account {
                    issuer,
                    label,
                    secret: Secret::from_bytes(key),
                    params,
                    meta: AccountMeta {
                        icon,
                        picture: None,
                        ..AccountMeta::default()
                    },
                    extra,
                }
            },
        )
}

/// Strings shaped like otpauth URIs, with random types, labels and parameters.
const OTPAUTH_ISH: &str = "(otpauth|OTPAUTH|pia|http|)(://|:/|:)(totp|hotp|steam|pipush|TOTP|x|)\
(/[a-zA-Z0-9 :%+#?é]{0,12})?(\\?((secret|issuer|algorithm|digits|period|counter|image|encoder|url|v|ttl|\
serial|enrollment_credential|sslverify|poll_only|pin|[a-z]{1,3})(=[A-Za-z0-9%:+=#/ é.\\-]{0,12})?&?){0,8})?";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parsing_arbitrary_text_never_panics(text in any::<String>()) {
        let _ = uri::parse(&text);
        let _ = uri::parse_otp(&text);
    }

    #[test]
    fn parsing_otpauth_like_text_never_panics(text in OTPAUTH_ISH) {
        if let Ok(uri::ParsedUri::Otp(account)) = uri::parse(&text) {
            // Whatever is accepted can generate codes, and survives its canonical form.
            prop_assert!(tessera_core::otp::Generator::for_account(&account).is_ok());
            let again = uri::parse_otp(&uri::format(&account));
            prop_assert_eq!(again, Ok(account));
        }
    }

    #[test]
    fn parsing_percent_soup_never_panics(text in "otpauth://totp/[%0-9A-Fa-f:+]{0,20}\\?secret=[%0-9A-Fa-f=+ ]{0,20}&issuer=[%0-9A-Fa-f:+]{0,20}") {
        let _ = uri::parse(&text);
    }

    #[test]
    fn format_then_parse_gives_back_the_account(account in account()) {
        let text = uri::format(&account);
        prop_assert!(text.starts_with("otpauth://"));
        prop_assert!(!text.contains(' '), "canonical form has no raw spaces");
        prop_assert_eq!(uri::parse_otp(&text), Ok(account));
    }
}
