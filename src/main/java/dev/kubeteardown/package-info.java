/**
 * The cleanup engine: deletes every object of one resource type in a scope and reports, for each object, what
 * happened to it.
 *
 * <h2>Public API</h2>
 * <ul>
 *   <li>{@link dev.kubeteardown.Cleanup} with {@link dev.kubeteardown.CleanupBuilder}: a step for any resource type
 *       ({@link dev.kubeteardown.ResourceType}), custom or built-in, in a namespace or cluster-wide, narrowed by
 *       {@linkplain dev.kubeteardown.CleanupBuilder#labelSelector(String) label} and
 *       {@linkplain dev.kubeteardown.CleanupBuilder#fieldSelector(String) field} selectors.</li>
 *   <li>{@link dev.kubeteardown.CleanupStep}: what every step, preset and sweep is. {@code execute()} returns a
 *       {@link dev.kubeteardown.CleanupReport}; {@code run()} also throws
 *       {@link dev.kubeteardown.CleanupFailedException} when the report is not clean.</li>
 *   <li>{@link dev.kubeteardown.CleanupReport} and {@link dev.kubeteardown.Outcome}: one outcome per object, with
 *       its {@link dev.kubeteardown.Outcome.Status} (DELETED, ALREADY_GONE, STUCK, FAILED, SKIPPED,
 *       WOULD_DELETE), detail, HTTP status and finalizers; summary, table and JSON.</li>
 *   <li>Options: {@link dev.kubeteardown.Backoff}, {@link dev.kubeteardown.DryRun},
 *       {@link dev.kubeteardown.PropagationPolicy}, {@link dev.kubeteardown.WaitStrategy},
 *       {@link dev.kubeteardown.MissingPolicy}, {@link dev.kubeteardown.CleanupListener}.</li>
 *   <li>A whole suite's teardown: {@link dev.kubeteardown.CleanupPlan} (ordered steps, parallel groups, barriers,
 *       one deadline, a re-creation check), {@link dev.kubeteardown.PlanFile} (the same as a YAML file),
 *       {@link dev.kubeteardown.NamespaceCleanup} (namespaces deleted and waited for; a stuck one says why).</li>
 *   <li>Type names as kubectl spells them: {@link dev.kubeteardown.ApiDiscovery} and
 *       {@link dev.kubeteardown.ServedType}.</li>
 *   <li>Leaked runs: {@link dev.kubeteardown.RunLabels} (what a run stamps on what it creates) and
 *       {@link dev.kubeteardown.StaleRunSweep} (removes what killed runs left, in one type or, with
 *       {@link dev.kubeteardown.StaleRunSweep#allTypes}, in every type);
 *       {@link dev.kubeteardown.ShutdownTeardown} (runs steps when the JVM exits).</li>
 *   <li>Errors: {@link dev.kubeteardown.CleanupConfigurationException} (a run that cannot start),
 *       {@link dev.kubeteardown.CleanupInterruptedException} (carries the partial report), both
 *       {@link dev.kubeteardown.KubeTeardownException}s; {@link dev.kubeteardown.KubernetesNames} holds the name
 *       rules every option is checked against.</li>
 * </ul>
 *
 * <h2>One run: the pipeline</h2>
 * A run is created per {@code execute()} and shares nothing with other runs. One deadline is computed at its start
 * and passed down; no stage invents its own timeout.
 * <ol>
 *   <li><b>List</b> ({@code Lister}): pages of the scope ({@code limit}/{@code continue}), selectors re-applied
 *       client-side, an expired continue token restarts the list without handing out an object twice.</li>
 *   <li><b>Delete</b> ({@code Deleter}, on the run's bounded pool): one DELETE per object with a UID precondition,
 *       retried by {@code Retrier} per {@link dev.kubeteardown.Backoff} (429/5xx/I/O, {@code Retry-After} as a
 *       floor; never 401/403).</li>
 *   <li><b>Classify</b> ({@code Classifier}): every answer or error maps to exactly one status; a 404 is
 *       ALREADY_GONE.</li>
 *   <li><b>Wait</b> ({@code GoneWaiter}): accepted deletes wait in {@code PendingDeletions} until a watch (or a
 *       poll) confirms each gone by UID; what is left at the deadline is STUCK, naming its finalizers.</li>
 *   <li><b>Report</b> ({@code OutcomeLedger}): each object is decided once, logged at its status's level and
 *       handed to the listener; the ledger's snapshot is the {@link dev.kubeteardown.CleanupReport}.</li>
 * </ol>
 * The stages are package-private here rather than in a sub-package, so that they need not be public.
 *
 * <h2>The other packages</h2>
 * {@code dev.kubeteardown.longhorn} (Longhorn presets and plans: configuration of this engine),
 * {@code dev.kubeteardown.junit} (the JUnit 5 extension), {@code dev.kubeteardown.fabric8} (a fabric8 client as the
 * client every step takes), {@code dev.kubeteardown.cli} (the command line) and {@code dev.kubeteardown.sim} (a
 * Longhorn simulator on the fabric8 mock server, which never uses this engine). This package imports none of them.
 */
package dev.kubeteardown;
