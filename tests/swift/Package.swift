// swift-tools-version:5.9
// Tessera's Swift suite: the generated Swift bindings (module `Tessera`) over the C module
// `TesseraFFI`, linked against the host-built libtessera_ffi, tested with XCTest.
// First run tests/swift/generate.sh (it writes Sources/*/generated/ and build/swift/lib/,
// never committed); then `swift test` here, on macOS or Linux. tests/swift/run.sh does both.
import Foundation
import PackageDescription

// The library generate.sh copies into <repo>/build/swift/lib: linked from there and found
// there at run time (rpath), so a plain `swift test` works without environment variables.
let libDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../build/swift/lib").standardizedFileURL.path

let package = Package(
    name: "TesseraSwiftTests",
    // The bindings as a product, so ios/AppModel (TESSERA_BINDINGS=host) builds its view models
    // on the same generated Swift and host library as this suite.
    products: [
        .library(name: "Tessera", targets: ["Tessera"]),
        // The Linux stand-ins for the platform keystores, for ios/AppModel's tests too.
        .library(name: "OpenSslKeys", targets: ["OpenSslKeys"]),
    ],
    targets: [
        .systemLibrary(name: "TesseraFFI", path: "Sources/TesseraFFI"),
        .target(
            name: "Tessera", dependencies: ["TesseraFFI"], path: "Sources/Tessera",
            linkerSettings: [.unsafeFlags(["-L\(libDir)", "-Xlinker", "-rpath", "-Xlinker", libDir])]
        ),
        // OpenSSL's libcrypto: the container tests' platform key on Linux (CryptoKit elsewhere
        // is not available to Swift on Linux).
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        // Container and push device keys over libcrypto, standing in on Linux for the Secure
        // Enclave and the Keychain (empty on Apple platforms).
        .target(
            name: "OpenSslKeys",
            dependencies: ["Tessera", .target(name: "COpenSSL", condition: .when(platforms: [.linux]))],
            path: "Sources/OpenSslKeys"
        ),
        .testTarget(
            name: "TesseraTests",
            dependencies: ["Tessera", "OpenSslKeys", .target(name: "COpenSSL", condition: .when(platforms: [.linux]))],
            path: "Tests/TesseraTests"
        ),
        // First codes on screen (tests/swift/run.sh bench); built only when asked for.
        .executableTarget(name: "TesseraBench", dependencies: ["Tessera"], path: "Sources/TesseraBench"),
    ]
)
