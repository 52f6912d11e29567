//! Tessera's OTP codes against a real privacyIDEA 3.14: tokens enrolled through the admin API
//! (`/token/init genkey=1`), their `otpauth://` URI read by Tessera's parser, Tessera's code
//! accepted by `/validate/check` (and a replay refused). Skipped, with the reason printed,
//! when no server runs (./tests/run-all.sh starts one).

mod support;

use support::{Pi, server};
use tessera_core::{Generator, uri};

const PIN: &str = "otp-pin";

/// Enrolls one token, checks Tessera's code is accepted once. Returns the URI's account.
fn check_token(pi: &Pi, params: &[(&str, &str)], case: &str) {
    let user = pi.create_user("otp");
    let detail = pi.init_token(&user, &[params, &[("pin", PIN)]].concat());
    let uri_text = detail["googleurl"]["value"].as_str().expect("googleurl");
    let account = uri::parse_otp(uri_text)
        .unwrap_or_else(|e| panic!("{case}: Tessera rejects the server's URI: {e}"));
    let generator = Generator::for_account(&account).unwrap();
    let code = if account.params.kind.is_time_based() {
        generator.code_now()
    } else {
        generator.code_for_counter(account.params.counter)
    };
    let r = pi.validate_check(&user, &format!("{PIN}{}", code.text().as_str()), None);
    assert_eq!(
        r["result"]["authentication"], "ACCEPT",
        "{case}: {}",
        r["detail"]["message"]
    );
    let replay = pi.validate_check(&user, &format!("{PIN}{}", code.text().as_str()), None);
    assert_eq!(
        replay["result"]["authentication"], "REJECT",
        "{case}: a used code is refused"
    );
    pi.delete_token(detail["serial"].as_str().unwrap());
}

#[test]
fn totp_codes_are_accepted_by_privacyidea_for_every_hash_and_length() {
    let Some(pi) = server("totp_codes_are_accepted_by_privacyidea_for_every_hash_and_length")
    else {
        return;
    };
    for hash in ["sha1", "sha256", "sha512"] {
        for digits in ["6", "8"] {
            let case = format!("totp/{hash}/{digits}");
            check_token(
                &pi,
                &[
                    ("type", "totp"),
                    ("hashlib", hash),
                    ("otplen", digits),
                    ("timeStep", "30"),
                ],
                &case,
            );
        }
    }
}

#[test]
fn totp_with_a_60_second_period_is_accepted_by_privacyidea() {
    let Some(pi) = server("totp_with_a_60_second_period_is_accepted_by_privacyidea") else {
        return;
    };
    check_token(
        &pi,
        &[
            ("type", "totp"),
            ("hashlib", "sha256"),
            ("otplen", "6"),
            ("timeStep", "60"),
        ],
        "totp/60s",
    );
}

#[test]
fn hotp_codes_are_accepted_by_privacyidea() {
    let Some(pi) = server("hotp_codes_are_accepted_by_privacyidea") else {
        return;
    };
    for (hash, digits) in [("sha1", "6"), ("sha256", "8")] {
        check_token(
            &pi,
            &[("type", "hotp"), ("hashlib", hash), ("otplen", digits)],
            &format!("hotp/{hash}/{digits}"),
        );
    }
}
