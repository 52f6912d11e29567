//! The encrypted move to a new phone between two real vaults: everything a person would miss
//! arrives (accounts with secrets, notes, groups, order, favourites, icons, push tokens with
//! their software keys), a platform-held push key is reported as left behind, and every
//! failure — no offer, another offer, a modified code, an expired offer, codes of two
//! transfers, missing codes, a second accept — is specific and changes nothing.

mod common;

use common::{Scratch, seed, totp};
use tessera_core::handover::{
    HandoverError, LeftBehindReason, MAX_PARTS, OFFER_TTL_SECONDS, PICTURE_PARTS, TokenOutcome,
    read_offer, scan_progress,
};
use tessera_core::icon::{Icon, IconImage};
use tessera_core::push::{DeviceKeys, NoProgress, PushStore, PushToken, SoftwareKeys};
use tessera_core::vault::{AccountUpdate, AddOutcome, ListFilter, Vault};
use tessera_core::{Account, OtpParams, Secret};

const T0: u64 = 1_800_000_000;

/// A PNG picture of `size` bytes (the signature, then filler: pictures are checked by type,
/// not decoded).
fn picture(size: usize) -> Icon {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..size - 8).map(|i| (i * 7 % 251) as u8));
    Icon::Image(IconImage::new(bytes, Some("image/png")).unwrap())
}

fn pictures(vault: &Vault) -> Vec<Option<Icon>> {
    vault
        .export_accounts()
        .unwrap()
        .into_iter()
        .map(|(_, a)| a.meta.picture)
        .collect()
}

fn token(serial: &str) -> PushToken {
    PushToken {
        label: format!("alice ({serial})"),
        ..common::push_token(serial)
    }
}

/// The old phone: accounts with every kind of metadata, in an order the user chose, one push
/// token with a software key and one whose key a platform keystore holds.
fn old_phone() -> (Scratch, Vault) {
    let (scratch, vault) = Scratch::new();
    let mut github = totp("GitHub", "alice", &seed(1));
    github.meta.note = "recovery codes in the safe".into();
    github.meta.groups = vec!["Work".into(), "Code".into()];
    github.meta.icon = Some("github".into());
    github.meta.picture = Some(picture(600));
    let mut bank = totp("Bank", "alice@bank", &seed(2));
    bank.meta.favorite = true;
    bank.meta.groups = vec!["Money".into()];
    let mut hotp = Account::new(
        "VPN",
        "alice",
        Secret::from_bytes(seed(3)),
        OtpParams::hotp(41),
    );
    hotp.extra = vec![("pin".into(), "1234".into())];
    let mail = totp("Mail", "alice@mail", &seed(4));
    for account in [&github, &bank, &hotp, &mail] {
        vault.add(account).unwrap();
    }
    // The user's order: Mail first among the non-favourites.
    let mail_id = vault
        .list(&ListFilter::default())
        .unwrap()
        .into_iter()
        .find(|a| a.issuer == "Mail")
        .unwrap()
        .id;
    vault
        .update(
            &mail_id,
            &AccountUpdate {
                position: Some(0),
                ..Default::default()
            },
        )
        .unwrap();
    let keys = SoftwareKeys::new(&vault);
    keys.generate("tessera-push-PIPU0001", 2048, &NoProgress)
        .unwrap();
    vault.add_push_token(&token("PIPU0001")).unwrap();
    // A token whose key is in the platform's keystore: no key in the vault.
    vault.add_push_token(&token("PIPU0002")).unwrap();
    (scratch, vault)
}

/// Issuer, label, groups, favourite and icon of one account in list order.
type Listed = (String, String, Vec<String>, bool, Option<String>);

fn order(vault: &Vault) -> Vec<Listed> {
    vault
        .list(&ListFilter::default())
        .unwrap()
        .into_iter()
        .map(|a| (a.issuer, a.label, a.groups, a.favorite, a.icon))
        .collect()
}

fn serials(vault: &Vault) -> Vec<String> {
    vault
        .push_tokens()
        .unwrap()
        .into_iter()
        .map(|t| t.serial)
        .collect()
}

#[test]
fn the_whole_vault_moves_and_arrives_complete() {
    let (_old_dir, old) = old_phone();
    let (_new_dir, new) = Scratch::new();
    // The new phone already has one of the accounts: it is skipped, not doubled.
    new.add(&totp("Mail", "alice@mail", &seed(4))).unwrap();

    let offer = new.create_move_offer(T0).unwrap();
    assert_eq!(offer.expires_at, T0 + OFFER_TTL_SECONDS);
    let read = read_offer(&offer.text).unwrap();
    assert_eq!(
        read.check_code, offer.check_code,
        "both devices show one code"
    );

    let transfer = old.send_move(&offer.text, T0 + 60).unwrap();
    assert_eq!(transfer.check_code, offer.check_code);
    assert_eq!(transfer.accounts, 4);
    assert_eq!(transfer.tokens_moved.len(), 1);
    assert_eq!(transfer.tokens_moved[0].serial, "PIPU0001");
    assert_eq!(transfer.tokens_left_behind.len(), 1);
    assert_eq!(transfer.tokens_left_behind[0].serial, "PIPU0002");
    assert_eq!(
        transfer.tokens_left_behind[0].reason,
        LeftBehindReason::PlatformKey
    );
    // Nothing readable on screen: no name, no secret, no note in any code. (Codes are
    // upper-case base32: a needle of that alphabet must be long enough not to occur by chance.)
    let secret = Secret::from_bytes(seed(1)).to_base32().to_string();
    for part in &transfer.parts {
        for readable in [
            "GitHub",
            "alice",
            "safe",
            "PIPU0001",
            "privacyIDEA",
            &secret,
        ] {
            assert!(!part.contains(readable), "{readable} is readable in a code");
        }
    }
    assert!(transfer.parts.len() > 1, "a push key takes several codes");

    // Scanned backwards, one code twice.
    let mut scanned: Vec<String> = transfer.parts.iter().rev().cloned().collect();
    scanned.push(transfer.parts[0].clone());
    let progress = scan_progress(&scanned).unwrap();
    assert!(progress.complete);
    assert_eq!(progress.count as usize, transfer.parts.len());
    let report = new.accept_move(&scanned, T0 + 120).unwrap();

    let outcomes: Vec<&str> = report
        .accounts
        .iter()
        .map(|o| match o {
            AddOutcome::Added(_) => "added",
            AddOutcome::Duplicate(_) => "duplicate",
            AddOutcome::Rejected(_) => "rejected",
        })
        .collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "added").count(), 3);
    assert_eq!(outcomes.iter().filter(|o| **o == "duplicate").count(), 1);
    assert_eq!(order(&new), order(&old), "order, groups, favourites, icons");
    assert_eq!(pictures(&new), pictures(&old), "pictures");
    assert_eq!(transfer.pictures_left_behind, 0);
    for summary in new.list(&ListFilter::default()).unwrap() {
        let moved = new.get(&summary.id).unwrap();
        let original = old
            .export_accounts()
            .unwrap()
            .into_iter()
            .map(|(_, a)| a)
            .find(|a| a.issuer == moved.issuer)
            .unwrap();
        assert_eq!(moved.secret.as_bytes(), original.secret.as_bytes());
        assert_eq!(moved.meta.note, original.meta.note, "{}", moved.issuer);
        assert_eq!(moved.params, original.params, "{}", moved.issuer);
        assert_eq!(moved.extra, original.extra, "{}", moved.issuer);
    }
    let vpn = new
        .export_accounts()
        .unwrap()
        .into_iter()
        .find(|(_, a)| a.issuer == "VPN")
        .unwrap()
        .1;
    assert_eq!(vpn.params.counter, 41, "the HOTP counter moves");
    assert_eq!(vpn.extra, vec![("pin".to_string(), "1234".to_string())]);

    // The push token and its key: the new phone signs exactly as the old one did.
    assert_eq!(serials(&new), vec!["PIPU0001"]);
    assert_eq!(report.tokens.len(), 1);
    assert_eq!(report.tokens[0].1, TokenOutcome::Added);
    assert_eq!(report.tokens_left_behind.len(), 1);
    assert_eq!(report.tokens_left_behind[0].serial, "PIPU0002");
    let message = b"nonce|url|serial|question|title|sslverify";
    let old_signature = SoftwareKeys::new(&old)
        .sign("tessera-push-PIPU0001", message)
        .unwrap();
    let new_signature = SoftwareKeys::new(&new)
        .sign("tessera-push-PIPU0001", message)
        .unwrap();
    assert_eq!(
        old_signature, new_signature,
        "RSA PKCS#1 v1.5 is deterministic"
    );
    let moved_token = new.push_token("PIPU0001").unwrap().unwrap();
    assert_eq!(moved_token.url, "https://pi.example/ttype/push");
    assert_eq!(moved_token.enrolled_at, 1_700_000_000);

    // One time only: the offer is gone, the same codes are refused and change nothing.
    assert!(new.pending_move_offer(T0 + 130).unwrap().is_none());
    let before = order(&new);
    assert!(matches!(
        new.accept_move(&transfer.parts, T0 + 130),
        Err(HandoverError::AlreadyAccepted)
    ));
    assert_eq!(order(&new), before);
}

/// What a failed accept must leave alone: the accounts, the tokens and the pending offer.
fn snapshot(vault: &Vault) -> (usize, Vec<String>, bool) {
    (
        vault.list(&ListFilter::default()).unwrap().len(),
        serials(vault),
        vault.pending_move_offer(T0).unwrap().is_some(),
    )
}

fn many_accounts() -> (Scratch, Vault) {
    let (scratch, vault) = Scratch::new();
    for n in 0..30 {
        vault
            .add(&totp(&format!("Service {n}"), "alice", &seed(100 + n)))
            .unwrap();
    }
    (scratch, vault)
}

#[test]
fn every_failure_is_specific_and_changes_nothing() {
    let (_old_dir, old) = many_accounts();
    let (_new_dir, new) = Scratch::new();

    let transfer_without_offer = {
        let (_other_dir, other) = Scratch::new();
        let offer = other.create_move_offer(T0).unwrap();
        old.send_move(&offer.text, T0).unwrap()
    };
    assert!(matches!(
        new.accept_move(&transfer_without_offer.parts, T0),
        Err(HandoverError::NoPendingOffer)
    ));

    let offer = new.create_move_offer(T0).unwrap();
    let transfer = old.send_move(&offer.text, T0).unwrap();
    let count = transfer.parts.len();
    assert!(count >= 4, "30 accounts take several codes, got {count}");
    let before = snapshot(&new);
    assert_eq!(before, (0, vec![], true));

    // Another device's offer.
    assert!(matches!(
        new.accept_move(&transfer_without_offer.parts, T0),
        Err(HandoverError::WrongOffer)
    ));
    // A changed letter in one code's data (still valid base32).
    let mut tampered = transfer.parts.clone();
    let last = tampered[1].pop().unwrap();
    tampered[1].push(if last == 'A' { 'B' } else { 'A' });
    assert!(matches!(
        new.accept_move(&tampered, T0),
        Err(HandoverError::Tampered)
    ));
    // Codes of two transfers to the same offer.
    let second = old.send_move(&offer.text, T0).unwrap();
    let mut mixed = transfer.parts.clone();
    mixed[2] = second.parts[2].clone();
    assert!(matches!(
        new.accept_move(&mixed, T0),
        Err(HandoverError::MixedTransfers { count: 2 })
    ));
    // Missing codes are named.
    let partial: Vec<&String> = transfer
        .parts
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1 && *i != 3)
        .map(|(_, p)| p)
        .collect();
    match new.accept_move(&partial, T0) {
        Err(HandoverError::MissingParts { missing, count: c }) => {
            assert_eq!(missing, vec![2, 4]);
            assert_eq!(c as usize, count);
        }
        other => panic!("{:?}", other.err()),
    }
    let progress = scan_progress(&partial).unwrap();
    assert_eq!(progress.missing, vec![2, 4]);
    // Too late: the offer expired.
    let late = T0 + OFFER_TTL_SECONDS + 1;
    assert!(matches!(
        new.accept_move(&transfer.parts, late),
        Err(HandoverError::OfferExpired { expired_at }) if expired_at == offer.expires_at
    ));
    assert!(matches!(
        old.send_move(&offer.text, late),
        Err(HandoverError::OfferExpired { .. })
    ));
    // A code of something else.
    let mut foreign = transfer.parts.clone();
    foreign.push("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP".into());
    assert!(matches!(
        new.accept_move(&foreign, T0),
        Err(HandoverError::NotAPart { index, .. }) if index == count + 1
    ));
    assert_eq!(snapshot(&new), before, "a failure changed the vault");

    // A newer offer replaces the older one: the transfer made for the older is refused.
    let newer = new.create_move_offer(T0 + 10).unwrap();
    assert_ne!(newer.text, offer.text);
    assert!(matches!(
        new.accept_move(&transfer.parts, T0 + 10),
        Err(HandoverError::WrongOffer)
    ));
    let again = old.send_move(&newer.text, T0 + 10).unwrap();
    let report = new.accept_move(&again.parts, T0 + 20).unwrap();
    assert_eq!(report.accounts.len(), 30);
    assert_eq!(new.list(&ListFilter::default()).unwrap().len(), 30);
}

#[test]
fn a_cancelled_offer_cannot_be_answered() {
    let (_old_dir, old) = many_accounts();
    let (_new_dir, new) = Scratch::new();
    let offer = new.create_move_offer(T0).unwrap();
    assert_eq!(new.pending_move_offer(T0).unwrap(), Some(offer.clone()));
    let transfer = old.send_move(&offer.text, T0).unwrap();
    new.cancel_move_offer().unwrap();
    assert!(new.pending_move_offer(T0).unwrap().is_none());
    assert!(matches!(
        new.accept_move(&transfer.parts, T0),
        Err(HandoverError::NoPendingOffer)
    ));
}

#[test]
fn each_code_fits_a_version_15_qr_code_in_alphanumeric_mode() {
    let (_old_dir, old) = many_accounts();
    let (_new_dir, new) = Scratch::new();
    let offer = new.create_move_offer(T0).unwrap();
    let transfer = old.send_move(&offer.text, T0).unwrap();
    assert!(transfer.parts.len() <= MAX_PARTS);
    // QR codes' alphanumeric mode: 0-9, A-Z, space and $%*+-./:
    let alphanumeric =
        |c: char| c.is_ascii_digit() || c.is_ascii_uppercase() || " $%*+-./:".contains(c);
    for text in transfer.parts.iter().chain([&offer.text]) {
        assert!(text.chars().all(alphanumeric), "{text}");
        qrcode::QrCode::with_version(
            text.as_bytes(),
            qrcode::Version::Normal(15),
            qrcode::EcLevel::L,
        )
        .unwrap_or_else(|e| panic!("{} characters do not fit: {e}", text.len()));
    }
}

#[test]
fn pictures_too_large_for_qr_codes_stay_behind_largest_first() {
    let (_old_dir, old) = Scratch::new();
    // Together the pictures need more than PICTURE_PARTS codes; without the largest they fit.
    for (n, size) in [(1, 6_000), (2, 9_000), (3, 500)] {
        let mut account = totp(&format!("Pictured {n}"), "alice", &seed(n));
        account.meta.picture = Some(picture(size));
        old.add(&account).unwrap();
    }
    let (_new_dir, new) = Scratch::new();
    let offer = new.create_move_offer(T0).unwrap();
    let transfer = old.send_move(&offer.text, T0).unwrap();
    assert_eq!(transfer.pictures_left_behind, 1);
    assert_eq!(transfer.accounts, 3);
    assert!(transfer.parts.len() <= PICTURE_PARTS);
    new.accept_move(&transfer.parts, T0).unwrap();
    let sizes: Vec<(String, usize)> = new
        .export_accounts()
        .unwrap()
        .into_iter()
        .map(|(_, a)| {
            let size = match &a.meta.picture {
                Some(Icon::Image(image)) => image.bytes().len(),
                _ => 0,
            };
            (a.issuer, size)
        })
        .collect();
    assert_eq!(
        sizes,
        vec![
            ("Pictured 1".to_string(), 6_000),
            ("Pictured 2".to_string(), 0),
            ("Pictured 3".to_string(), 500)
        ],
        "the largest picture stayed behind, the account moved"
    );
}
