extension RawRepresentable where RawValue == String, Self: CaseIterable {
    /// The case named `name` in any letter case (`--source`, `--hz-read` and their variables).
    init?(named name: String) {
        self.init(rawValue: name.lowercased())
    }
}
