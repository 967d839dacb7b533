/**
 * An in-process Longhorn cluster for testing cleanup code: {@link dev.kubeteardown.sim.LonghornSimulator}.
 *
 * <p>The fabric8 CRUD mock is a convenient fake, but it is a lenient one: it answers 404 with an empty body,
 * ignores set-based selectors, {@code limit}/{@code continue}, {@code dryRun} and delete preconditions, and
 * has no watch over HTTP. Cleanup code tested against it passes and then fails on a real cluster. This
 * package wraps the mock so that it answers like kube-apiserver, plays longhorn-manager's part (cascading
 * BackupVolume deletes, finalizers held until the backupstore is done, the backupstore poll that brings
 * deleted custom resources back) and misbehaves on request ({@link dev.kubeteardown.sim.FaultPlan}).
 *
 * <p>It plays the cluster and does not depend on the cleanup engine, so that it stays an honest opponent.
 */
package dev.kubeteardown.sim;
