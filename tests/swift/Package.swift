// swift-tools-version:5.9
// Tessera's Swift suite: the generated Swift bindings (module `Tessera`) over the C module
// `TesseraFFI`, linked against the host-built libtessera_ffi, tested with XCTest.
// The generated files land in Sources/*/generated/ (never committed): run tests/swift/run.sh,
// or on macOS see tests/swift/README.md.
import PackageDescription

let package = Package(
    name: "TesseraSwiftTests",
    targets: [
        .systemLibrary(name: "TesseraFFI", path: "Sources/TesseraFFI"),
        .target(name: "Tessera", dependencies: ["TesseraFFI"], path: "Sources/Tessera"),
        .testTarget(name: "TesseraTests", dependencies: ["Tessera"], path: "Tests/TesseraTests"),
    ]
)
