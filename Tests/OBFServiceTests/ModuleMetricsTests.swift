@testable import OBFReplication
@testable import OBFService
@testable import SnapshotSources
import Testing

/// The modules' metrics as the service's registry exposes them: with the help texts and buckets
/// of their definitions, in a registry of each service's own.
@Suite struct ModuleMetricsTests {
    @Test func aModuleMetricKeepsItsHelpTextAndBuckets() async {
        let metrics = ServiceMetrics()
        metrics.liveView.eventReceived(lag: 0.003)
        metrics.replication.commits.increment()
        let text = String(decoding: await metrics.render(), as: UTF8.self)
        #expect(text.contains("# HELP obf_view_event_lag_seconds From a document's _pushed_at (else timestamp) "
            + "to the arrival of its entry event.\n# TYPE obf_view_event_lag_seconds histogram\n"))
        #expect(text.contains("obf_view_event_lag_seconds_bucket{le=\"0.0025\"} 0\n"))
        #expect(text.contains("obf_view_event_lag_seconds_bucket{le=\"0.005\"} 1\n"))
        #expect(text.contains("# HELP obf_replication_commits_total Steps (and whole states) written to the state map.\n"))
        #expect(text.contains("obf_replication_commits_total 1\n"))
    }

    @Test func eachServiceHasARegistryOfItsOwn() async {
        let first = ServiceMetrics()
        let second = ServiceMetrics()
        first.replication.commits.increment()
        let text = String(decoding: await second.render(), as: UTF8.self)
        #expect(text.contains("obf_replication_commits_total 0\n"))
    }
}
