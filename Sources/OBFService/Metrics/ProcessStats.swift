import Foundation

/// The process's resident memory and open file descriptors, read from /proc.
public struct ProcessStats: Sendable {
    public var residentBytes: Int
    public var openFileDescriptors: Int

    public static func read() -> ProcessStats {
        var resident = 0
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { resident = pages * Int(sysconf(Int32(_SC_PAGESIZE))) }
        }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return ProcessStats(residentBytes: resident, openFileDescriptors: descriptors)
    }
}
