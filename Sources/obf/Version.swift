/// The version `obf --version` prints (the same as openapi.yaml's `info.version`); raised with every release.
enum OBFVersion {
    static let current = "0.1.0"
}
