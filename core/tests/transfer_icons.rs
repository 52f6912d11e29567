//! Icons read from other apps' files and written back: the fixtures of
//! `tests/fixtures/transfer/make_icons.py` (Python's standard library, not Tessera) compared with
//! what that script says each entry must keep, then imports into a vault and exports.

mod common;

use std::path::PathBuf;

use common::Scratch;
use serde_json::{Value, json};
use tessera_core::icon::{COLLECTION_2FAS, Icon, IconImage, IconLabel, IconRef};
use tessera_core::transfer::export::{ExportFormat, export};
use tessera_core::transfer::{self, ente};
use tessera_core::vault::ListFilter;
use tessera_core::{Account, OtpParams, Secret};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/transfer")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap()
}

/// An icon the way `expected_icons.json` writes it.
fn describe(icon: Option<&Icon>) -> Value {
    match icon {
        None => Value::Null,
        Some(Icon::Image(image)) => json!({
            "kind": "image",
            "media_type": image.media_type(),
            "sha256": data_encoding::HEXLOWER.encode(&tessera_core::crypto::mac::sha256(image.bytes())),
        }),
        Some(Icon::Reference(r)) => {
            let mut out = json!({
                "kind": "reference",
                "collection": r.collection,
                "id": r.id,
                "label_shown": r.label_shown,
            });
            if let Some(label) = &r.label {
                out["label"] = json!(label.text);
                out["color"] = json!(label.color);
            }
            out
        }
    }
}

#[test]
fn every_icon_fixture_keeps_what_its_generator_expects() {
    let expected: Value = serde_json::from_slice(&fixture("expected_icons.json")).unwrap();
    for (name, entries) in expected.as_object().unwrap() {
        let items = transfer::read(&fixture(name), None, None).unwrap();
        let entries = entries.as_array().unwrap();
        assert_eq!(items.len(), entries.len(), "{name}: entries");
        for (item, want) in items.iter().zip(entries) {
            let account = item.result.as_ref().unwrap_or_else(|e| {
                panic!("{name} {}: {e} (an icon never costs an account)", item.name)
            });
            assert_eq!(account.issuer, want["issuer"].as_str().unwrap(), "{name}");
            assert_eq!(
                describe(account.meta.picture.as_ref()),
                want["icon"],
                "{name} {}",
                account.issuer
            );
        }
    }
}

#[test]
fn an_aegis_import_puts_the_pictures_in_the_vault() {
    let (_scratch, vault) = Scratch::new();
    let bytes = fixture("aegis_icons.json");
    let report = transfer::import(&vault, &bytes, None, None, false).unwrap();
    assert_eq!(
        report.imported(),
        8,
        "every entry, with or without its icon"
    );
    let read = transfer::read(&bytes, None, None).unwrap();
    for summary in vault.list(&ListFilter::default()).unwrap() {
        let from_file = read
            .iter()
            .map(|i| i.result.as_ref().unwrap())
            .find(|a| a.issuer == summary.issuer)
            .unwrap();
        assert_eq!(
            summary.has_picture,
            from_file.meta.picture.is_some(),
            "{}",
            summary.issuer
        );
        assert_eq!(
            vault.icon(&summary.id).unwrap(),
            from_file.meta.picture,
            "{}",
            summary.issuer
        );
    }
}

fn account(issuer: &str, n: u8, picture: Option<Icon>) -> Account {
    let mut a = Account::new(
        issuer,
        "user",
        Secret::from_bytes(vec![n; 20]),
        OtpParams::totp(),
    );
    a.meta.picture = picture;
    a
}

fn svg() -> Icon {
    Icon::Image(IconImage::new(fixture_svg(), Some("image/svg+xml")).unwrap())
}

/// The SVG of the Aegis fixture, as the generator wrote it.
fn fixture_svg() -> Vec<u8> {
    let doc: Value = serde_json::from_slice(&fixture("aegis_icons.json")).unwrap();
    let b64 = doc["db"]["entries"][0]["icon"].as_str().unwrap();
    data_encoding::BASE64.decode(b64.as_bytes()).unwrap()
}

#[test]
fn aegis_exports_carry_images_and_read_back() {
    let accounts = vec![
        account("Svg", 1, Some(svg())),
        account(
            "Ref",
            2,
            Some(Icon::Reference(IconRef {
                collection: COLLECTION_2FAS.into(),
                id: "x".into(),
                label: Some(IconLabel {
                    text: "R".into(),
                    color: "Red".into(),
                }),
                label_shown: true,
            })),
        ),
        account("None", 3, None),
    ];
    for password in [None, Some("pässword")] {
        let out = export(&accounts, ExportFormat::Aegis, password).unwrap();
        let back = transfer::read(&out.data, None, password).unwrap();
        let pictures: Vec<_> = back
            .iter()
            .map(|i| i.result.as_ref().unwrap().meta.picture.clone())
            .collect();
        // Aegis holds images only: the 2FAS reference has no place there.
        assert_eq!(pictures, vec![Some(svg()), None, None], "{password:?}");
    }
}

#[test]
fn ente_exports_give_back_ente_references_only() {
    let ente_ref = Icon::Reference(IconRef {
        collection: "ente/simpleIcon".into(),
        id: "github".into(),
        ..IconRef::default()
    });
    let accounts = vec![
        account("Ente", 1, Some(ente_ref.clone())),
        account("Svg", 2, Some(svg())),
    ];
    let text = ente::write(&accounts, None).unwrap();
    let back = transfer::read(text.as_bytes(), None, None).unwrap();
    assert_eq!(
        back[0].result.as_ref().unwrap().meta.picture,
        Some(ente_ref)
    );
    assert_eq!(back[1].result.as_ref().unwrap().meta.picture, None);
}

#[test]
fn twofas_exports_give_back_twofas_references() {
    let labelled = Icon::Reference(IconRef {
        collection: COLLECTION_2FAS.into(),
        id: "0d5c5a5e-8b8f-4c43-9a56-1f0d3c2b7a11".into(),
        label: Some(IconLabel {
            text: "LB".into(),
            color: "Orange".into(),
        }),
        label_shown: true,
    });
    let accounts = vec![account("Labelled", 1, Some(labelled.clone()))];
    for password in [None, Some("pässword")] {
        let out = export(&accounts, ExportFormat::TwoFas, password).unwrap();
        let back = transfer::read(&out.data, None, password).unwrap();
        assert_eq!(
            back[0].result.as_ref().unwrap().meta.picture,
            Some(labelled.clone()),
            "{password:?}"
        );
    }
}
