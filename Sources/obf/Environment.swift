import ArgumentParser
import Foundation

/// Resolves a setting from its flag, else its `OBF_…` environment variable, else a default.
struct Environment {
    var values: [String: String] = ProcessInfo.processInfo.environment

    func string(_ flag: String?, _ name: String) -> String? {
        if let flag { return flag }
        if let value = values[name], !value.isEmpty { return value }
        return nil
    }

    func string(_ flag: String?, _ name: String, default fallback: String) -> String {
        string(flag, name) ?? fallback
    }

    /// A number from the flag or environment; a malformed environment value is an error naming it.
    func number<T: LosslessStringConvertible>(_ flag: T?, _ name: String, default fallback: T) throws -> T {
        if let flag { return flag }
        guard let text = values[name], !text.isEmpty else { return fallback }
        guard let value = T(text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("\(name)='\(text)' is not a valid \(T.self)")
        }
        return value
    }

    /// True when `flag` is given, else the variable `name` (true/false, yes/no, on/off, 1/0),
    /// else `fallback` when it is unset or empty.
    func bool(_ flag: Bool, _ name: String, default fallback: Bool = false) throws -> Bool {
        if flag { return true }
        switch values[name]?.lowercased() {
        case nil, "": return fallback
        case "0", "false", "no", "off": return false
        case "1", "true", "yes", "on": return true
        case let other?: throw ValidationError("\(name)='\(other)' is not true or false")
        }
    }

    /// A comma-separated list with blanks dropped.
    func list(_ flag: String?, _ name: String, default fallback: [String]) -> [String] {
        guard let text = string(flag, name) else { return fallback }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
