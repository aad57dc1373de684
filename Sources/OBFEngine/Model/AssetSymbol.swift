/// Asset names as the API accepts them: `^[A-Za-z0-9]{1,32}$`, upper-cased.
public enum AssetSymbol {
    public static func isValid(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.count <= 32
            && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) }
    }

    /// The upper-cased symbol, or `nil` when `text` is not a valid asset name.
    public static func normalized(_ text: some StringProtocol) -> String? {
        isValid(text) ? text.uppercased() : nil
    }
}
