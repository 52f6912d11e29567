//! Push benchmarks: from a received push payload to a signed answer ready to send (parse,
//! verify the server's RSA-4096 signature, build the answer, load the device key and sign),
//! with RSA-2048 and RSA-4096 device keys; and device-key generation.
//!
//! `cargo bench -p tessera-core --bench push`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use tessera_core::push::protocol::{self, Answer, Challenge, ServerKey};
use tessera_core::push::{NoProgress, SoftwareKey};
use zeroize::Zeroizing;

struct Fixture {
    payload: Vec<(String, String)>,
    server_key: ServerKey,
    device_pkcs8: Vec<u8>,
}

fn fixture(server: &SoftwareKey, device_bits: u32) -> Fixture {
    let pkcs1 = rsa::PublicKey::from_public_key_der(server.public_spki())
        .unwrap()
        .to_pkcs1_der()
        .unwrap()
        .as_bytes()
        .to_vec();
    let mut fields = vec![
        ("nonce", "GZ3X5NQ7RBXH6V7LWCKR2MTFPAOJUQYD".to_string()),
        ("url", "https://pi.example.org/ttype/push".to_string()),
        ("serial", "PIPU0006EF87".to_string()),
        (
            "question",
            "Do you want to reset your password?".to_string(),
        ),
        ("title", "privacyIDEA".to_string()),
        ("sslverify", "1".to_string()),
    ];
    let unsigned = Challenge::from_payload(
        fields
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .chain([("signature", "AA======")]),
    )
    .unwrap();
    let signature = server.sign(unsigned.signed_message().as_bytes()).unwrap();
    fields.push(("signature", protocol::encode_signature(&signature)));
    let device = SoftwareKey::generate(device_bits, &NoProgress).unwrap();
    Fixture {
        payload: fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        server_key: ServerKey(pkcs1),
        device_pkcs8: device.pkcs8().to_vec(),
    }
}

fn payload_to_signed_answer(c: &mut Criterion) {
    let server = SoftwareKey::generate(4096, &NoProgress).unwrap();
    let mut group = c.benchmark_group("payload_to_signed_answer");
    for bits in [2048u32, 4096] {
        let f = fixture(&server, bits);
        group.bench_with_input(BenchmarkId::new("rsa", bits), &f, |b, f| {
            b.iter(|| {
                let challenge = Challenge::from_payload(
                    f.payload.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                )
                .unwrap();
                challenge.verify(&f.server_key).unwrap();
                let (message, mut form) =
                    protocol::answer_form(&challenge, &Answer::Approve).unwrap();
                // the software holder loads the key from its (unsealed) PKCS#8 for each signature
                let key = SoftwareKey::from_pkcs8(Zeroizing::new(f.device_pkcs8.clone())).unwrap();
                let signature = key.sign(message.as_bytes()).unwrap();
                form.push(("signature".into(), protocol::encode_signature(&signature)));
                form
            })
        });
    }
    group.finish();
}

fn key_generation(c: &mut Criterion) {
    let mut group = c.benchmark_group("device_key_generation");
    group.sample_size(10);
    for bits in [2048u32, 4096] {
        group.bench_with_input(BenchmarkId::new("rsa", bits), &bits, |b, bits| {
            b.iter(|| SoftwareKey::generate(*bits, &NoProgress).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, payload_to_signed_answer, key_generation);
criterion_main!(benches);
