/// The version `obf --version` prints; raised with every release of the service.
enum OBFVersion {
    static let current = "0.9.0"
}
