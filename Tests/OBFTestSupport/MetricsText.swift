/// Reads sample values out of Prometheus exposition text.
public enum MetricsText {
    /// The value of the sample whose name and labels are exactly `series`, e.g.
    /// `obf_steps_total` or `obf_snapshots_total{result="ok"}`.
    public static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard line.hasPrefix(series + " ") else { continue }
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }
}
