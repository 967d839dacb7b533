package dev.kubeteardown.longhorn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kubeteardown.Cleanup;
import dev.kubeteardown.CleanupPlan;
import dev.kubeteardown.CleanupReport;
import dev.kubeteardown.Outcome;
import dev.kubeteardown.PlanFile;
import dev.kubeteardown.sim.LonghornSimulator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The plan files shipped beside {@link LonghornPlans} describe exactly the plans its builders build. */
class LonghornPlanFilesTest {

    static void assertSamePlan(CleanupPlan fromFile, CleanupPlan built) {
        assertEquals(built.description(), fromFile.description());
        assertEquals(built.stepDescriptions(), fromFile.stepDescriptions());
        assertEquals(
                built.cleanups().stream().map(Cleanup::resourceType).toList(),
                fromFile.cleanups().stream().map(Cleanup::resourceType).toList());
        assertEquals(
                built.cleanups().stream().map(Cleanup::namespace).toList(),
                fromFile.cleanups().stream().map(Cleanup::namespace).toList());
    }

    @Test
    @DisplayName("full-plan.yaml: the same steps as LonghornPlans.full, in the same order, groups and barrier")
    void fullPlanFileIsTheFullPlan() {
        PlanFile file = PlanFile.readResource(LonghornPlans.FULL_PLAN_RESOURCE);
        List<String> types = new ArrayList<>();
        LonghornPlans.BEFORE_BACKUPS.forEach(types::addAll);
        types.add("backupvolumes");
        types.addAll(LonghornPlans.AFTER_BACKUP_VOLUMES);
        assertEquals(types.stream().map(t -> t + ".longhorn.io").toList(), file.types());
        assertEquals(Duration.ofSeconds(CleanupPlan.DEFAULT_TIMEOUT_SECONDS), file.timeout());
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            ApiClient client = sim.apiClient();
            assertSamePlan(file.toPlan(client), LonghornPlans.full(client).build());
        }
    }

    @Test
    @DisplayName("backups-plan.yaml: the same steps as LonghornPlans.backups, the backup volumes a barrier")
    void backupsPlanFileIsTheBackupsPlan() {
        PlanFile file = PlanFile.readResource(LonghornPlans.BACKUPS_PLAN_RESOURCE);
        assertEquals(Duration.ofSeconds(CleanupPlan.DEFAULT_TIMEOUT_SECONDS), file.timeout());
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            ApiClient client = sim.apiClient();
            CleanupPlan fromFile = file.toPlan(client);
            assertSamePlan(fromFile, LonghornPlans.backups(client).build());
            assertEquals(
                    "step 1: backupvolumes.longhorn.io/v1beta2 in namespace longhorn-system (barrier)",
                    fromFile.stepDescriptions().get(0));
        }
    }

    @Test
    @DisplayName("the shipped full plan file runs: every Longhorn type gone, engines and replicas with their volume")
    void fullPlanFileRuns() {
        try (LonghornSimulator sim = LonghornSimulator.builder().start()) {
            KubernetesClient k = sim.fabricClient();
            for (String plural : LonghornPlansTest.PLURALS) {
                if (!plural.equals("engines") && !plural.equals("replicas")) {
                    LonghornPlansTest.create(k, plural, plural + "-1", Map.of());
                }
            }
            LonghornPlansTest.create(k, "engines", "volumes-1-e-0", Map.of("longhornvolume", "volumes-1"));
            LonghornPlansTest.create(k, "replicas", "volumes-1-r-0", Map.of("longhornvolume", "volumes-1"));

            CleanupReport report = PlanFile.readResource(LonghornPlans.FULL_PLAN_RESOURCE)
                    .toPlan(sim.apiClient())
                    .run();

            assertEquals(11, report.count(Outcome.Status.DELETED), report.table());
            for (String plural : LonghornPlansTest.PLURALS) {
                assertEquals(0, LonghornPlansTest.count(k, plural), plural + " are all gone");
            }
        }
    }
}
