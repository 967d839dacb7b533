/**
 * Reliability of the engine under injected faults, on the Longhorn simulator (issue 6).
 *
 * <ul>
 *   <li>{@link dev.kubeteardown.reliability.FaultInjectionPropertyTest}: seeded random worlds (objects, scope,
 *       options, fault plan from {@link dev.kubeteardown.reliability.Scenario}), run end to end by
 *       {@link dev.kubeteardown.reliability.ScenarioRun} and judged by
 *       {@link dev.kubeteardown.reliability.Invariants}; prints {@link dev.kubeteardown.reliability.Figures}.
 *       Normal: 300 seeds. Soak: {@code -Dkubeteardown.soak=true} (5000 seeds) or {@code -Dkubeteardown.soak.runs=N}.
 *       One seed, verbose: {@code -Dkubeteardown.seed=1234}.</li>
 *   <li>{@link dev.kubeteardown.reliability.InterruptUnderFaultsTest}: interrupts at random moments, faults on.</li>
 *   <li>{@link dev.kubeteardown.reliability.EngineRegressionTest} and
 *       {@link dev.kubeteardown.reliability.SimulatorRegressionTest}: minimal reproductions of the bugs the suite
 *       found, kept as regression tests now that they are fixed.</li>
 * </ul>
 *
 * <p>The evidence a run is judged on never comes from the engine's own account: snapshots of the store before and
 * after, a watch opened before any fault ({@link dev.kubeteardown.reliability.ClusterObserver}, which also plays the
 * controller of a test finalizer), and the engine's HTTP exchanges as its own client saw them
 * ({@link dev.kubeteardown.reliability.WireLog}).
 */
package dev.kubeteardown.reliability;
