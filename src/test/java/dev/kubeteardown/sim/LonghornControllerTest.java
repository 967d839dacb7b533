package dev.kubeteardown.sim;

import static dev.kubeteardown.sim.SimHttp.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.ListOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulated longhorn-manager: cascades, finalizers, stuck backups, remote data and the poll. */
class LonghornControllerTest {

  private static final String LH = LonghornResources.NAMESPACE;
  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void aDeletedBackupVolumeGoesFirstThenTheCollectorDeletesItsBackups() {
    try (LonghornSimulator sim = LonghornSimulator.builder().cascadeDelay(Duration.ofMillis(1500))
        .seed(BackupstoreSpec.of(2, 3).failedBackups(4)).start()) {
      DynamicKubernetesApi backups = api(sim, "backups");
      DynamicKubernetesApi volumes = api(sim, "backupvolumes");
      DynamicKubernetesObject volume = volumes.list(LH).getObject().getItems().get(0);
      String volumeName = volume.getRaw().getAsJsonObject("spec").get("volumeName").getAsString();
      List<String> owned = names(backups, "backup-volume=" + volumeName);
      List<String> others = names(backups, "backup-volume!=" + volumeName);
      assertEquals(3, owned.size());

      DynamicKubernetesObject deleting = volumes.delete(LH, volume.getMetadata().getName()).getObject();
      assertNotNull(deleting.getMetadata().getDeletionTimestamp(), "the finalizer keeps it");
      assertEquals(3, names(backups, "backup-volume=" + volumeName).size(), "nothing happens before the delay");

      Await.until("the backup volume is gone", WAIT,
          () -> volumes.get(LH, volume.getMetadata().getName()).getHttpStatusCode() == 404);
      assertEquals(3, names(backups, "backup-volume=" + volumeName).size(),
          "its backups outlive it until the garbage collector gets to them (the race a backup cleanup meets)");
      Await.until("its backups are gone", WAIT, () -> names(backups, "backup-volume=" + volumeName).isEmpty());
      assertEquals(others, names(backups, "backup-volume!=" + volumeName), "other volumes and failed backups stay");
      owned.forEach(name -> assertFalse(sim.remoteBackups().contains(name)));
      assertEquals(3, sim.remoteBackups().size());
      assertFalse(sim.remoteBackupVolumes().contains(volume.getMetadata().getName()));
    }
  }

  @Test
  void aDeletedBackupLosesItsFinalizerAfterTheRemoteDelete() {
    try (LonghornSimulator sim = LonghornSimulator.builder().remoteDeleteDelay(Duration.ofMillis(150))
        .seed(BackupstoreSpec.of(1, 2)).start()) {
      SimHttp http = new SimHttp(sim);
      String name = sim.remoteBackups().first();
      SimHttp.Reply deleted = http.delete(NS + "backups/" + name, null);
      assertEquals(200, deleted.code());
      // the answer, not a later GET: the finalizer may be released before a GET on a stalled machine
      assertTrue(deleted.json().getAsJsonObject("metadata").has("deletionTimestamp"), deleted.body());
      assertEquals("longhorn.io", deleted.json().getAsJsonObject("metadata").getAsJsonArray("finalizers").get(0).getAsString());
      Await.until("the backup is gone", WAIT, () -> http.get(NS + "backups/" + name).code() == 404);
      assertFalse(sim.remoteBackups().contains(name));
    }
  }

  @Test
  void aStuckBackupKeepsItsFinalizer() {
    try (LonghornSimulator sim = LonghornSimulator.builder().cascadeDelay(Duration.ofMillis(20))
        .remoteDeleteDelay(Duration.ofMillis(20)).seed(BackupstoreSpec.of(1, 3).stuckBackups(1)).start()) {
      SimHttp http = new SimHttp(sim);
      DynamicKubernetesApi backups = api(sim, "backups");
      String volume = api(sim, "backupvolumes").list(LH).getObject().getItems().get(0).getMetadata().getName();
      assertEquals(200, http.delete(NS + "backupvolumes/" + volume, null).code());
      Await.until("only the stuck backup is left", WAIT, () -> backups.list(LH).getObject().getItems().size() == 1);
      DynamicKubernetesObject stuck = backups.list(LH).getObject().getItems().get(0);
      assertNotNull(stuck.getMetadata().getDeletionTimestamp());
      assertEquals(List.of("longhorn.io"), stuck.getMetadata().getFinalizers());
      Await.holdsFor("the stuck backup stays, though its volume is gone", Duration.ofMillis(200),
          () -> http.get(NS + "backups/" + stuck.getMetadata().getName()).code() == 200
              && http.get(NS + "backupvolumes/" + volume).code() == 404);
    }
  }

  @Test
  void customResourceOnlyDeletesKeepTheDataAndThePollBringsThemBack() {
    BackupstoreSpec spec = BackupstoreSpec.of(1, 2).label(LonghornResources.LABEL_DELETE_CUSTOM_RESOURCE_ONLY, "true");
    try (LonghornSimulator sim = LonghornSimulator.builder().remoteDeleteDelay(Duration.ofMillis(20))
        .cascadeDelay(Duration.ofMillis(20)).backupstorePoll(Duration.ofMillis(100)).seed(spec).start()) {
      SimHttp http = new SimHttp(sim);
      String name = sim.remoteBackups().first();
      String uid = uid(http, "backups/" + name);
      String volume = sim.remoteBackupVolumes().first();
      String volumeUid = uid(http, "backupvolumes/" + volume);
      http.delete(NS + "backupvolumes/" + volume, null);
      Await.until("the backup is back with a new UID", WAIT, () -> {
        SimHttp.Reply reply = http.get(NS + "backups/" + name);
        return reply.code() == 200 && !uid.equals(reply.json().getAsJsonObject("metadata").get("uid").getAsString());
      });
      Await.until("the backup volume is back with a new UID", WAIT, () -> {
        SimHttp.Reply reply = http.get(NS + "backupvolumes/" + volume);
        return reply.code() == 200
            && !volumeUid.equals(reply.json().getAsJsonObject("metadata").get("uid").getAsString());
      });
      assertEquals(2, sim.remoteBackups().size(), "the data was kept");
      Await.until("the re-created backup is owned by the re-created volume", WAIT, () -> {
        SimHttp.Reply reply = http.get(NS + "backups/" + name);
        return reply.code() == 200 && uid(http, "backupvolumes/" + volume).equals(reply.json()
            .getAsJsonObject("metadata").getAsJsonArray("ownerReferences").get(0).getAsJsonObject()
            .get("uid").getAsString());
      });
      assertFalse(http.get(NS + "backups/" + name).json().getAsJsonObject("metadata").getAsJsonObject("labels")
          .has(LonghornResources.LABEL_DELETE_CUSTOM_RESOURCE_ONLY), "Longhorn re-creates its own labels only");
    }
  }

  @Test
  void withoutThePollDeletedDataDoesNotComeBack() {
    try (LonghornSimulator sim = LonghornSimulator.builder().remoteDeleteDelay(Duration.ofMillis(10))
        .backupstorePoll(Duration.ofMillis(50)).seed(BackupstoreSpec.of(1, 1)).start()) {
      SimHttp http = new SimHttp(sim);
      String name = sim.remoteBackups().first();
      http.delete(NS + "backups/" + name, null);
      Await.until("the backup and its data are gone", WAIT,
          () -> sim.remoteBackups().isEmpty() && http.get(NS + "backups/" + name).code() == 404);
      Await.holdsFor("it stays gone", Duration.ofMillis(200), () -> http.get(NS + "backups/" + name).code() == 404);
    }
  }

  @Test
  void anUnreachableBackupTargetHoldsEveryFinalizer() {
    try (LonghornSimulator sim = LonghornSimulator.builder().remoteDeleteDelay(Duration.ofMillis(20))
        .seed(BackupstoreSpec.of(1, 1)).start()) {
      SimHttp http = new SimHttp(sim);
      String name = sim.remoteBackups().first();
      sim.backupTargetReachable(false);
      http.delete(NS + "backups/" + name, null);
      Await.holdsFor("the backup stays", Duration.ofMillis(150), () -> http.get(NS + "backups/" + name).code() == 200);
      sim.backupTargetReachable(true);
      Await.until("the backup is gone", WAIT, () -> http.get(NS + "backups/" + name).code() == 404);
    }
  }

  private static String uid(SimHttp http, String path) {
    SimHttp.Reply reply = http.get(NS + path);
    assertEquals(200, reply.code(), path);
    String uid = reply.json().getAsJsonObject("metadata").get("uid").getAsString();
    assertNotEquals("", uid);
    return uid;
  }

  private static List<String> names(DynamicKubernetesApi api, String selector) {
    return api.list(LH, new ListOptions().labelSelector(selector))
        .getObject().getItems().stream().map(o -> o.getMetadata().getName()).toList();
  }

  private static DynamicKubernetesApi api(LonghornSimulator sim, String plural) {
    return new DynamicKubernetesApi("longhorn.io", "v1beta2", plural, sim.apiClient());
  }
}
