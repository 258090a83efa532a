package region;

//SOURCES Topology.java

import java.time.Duration;
import java.time.Instant;

/**
 * What the control plane concludes from one look at the region: a pure function of the latest
 * observations, so that every case (a frozen postmaster, frozen backends, a frozen or lost
 * standby, a primary lost during a rebuild, both lost) is decided the same way every time and
 * tested on a table.
 *
 * Health means that commits complete. The control plane commits a tiny write every 50 ms on a
 * connection it keeps to the primary, as a client does, and asks the standby a question on a
 * connection of its own. A commit that waits longer than {@link #COMMIT_BOUND} is stuck: if the
 * standby has not answered for {@link #STANDBY_BOUND}, the standby is at fault; if the primary
 * still answers on another connection, or its WAL still moves, it is slow, not hung, and is given
 * {@link #BUSY_BOUND}; otherwise, the standby answering, the primary is at fault.
 */
public final class Verdict {
    /**
     * A commit of one row takes a few milliseconds here, and stays under 100 ms even with the
     * disk loaded by a second writer (bench). A fifth of a second without an answer is a hang,
     * not a slow disk; longer would stop every client's writes that much longer.
     */
    public static final Duration COMMIT_BOUND = Duration.ofMillis(200);
    /** The standby answers a query on its own connection in a few milliseconds; silent this long, it is hung or gone. */
    public static final Duration STANDBY_BOUND = Duration.ofMillis(200);
    /** A postmaster seen stopped (SIGSTOP) this long takes no new connection: for a client, the primary is down. */
    public static final Duration FROZEN_BOUND = Duration.ofMillis(300);
    /**
     * With no synchronous standby to take over, the cure for a hung primary is to kill and restart
     * it, which costs a crash recovery: it is done only after a full second of stuck commits, so
     * that a slow moment (a base backup's checkpoint) is never mistaken for a hang.
     */
    public static final Duration ALONE_BOUND = Duration.ofSeconds(1);
    /** A busy primary's commits may wait this long for a standby that flushes a large transaction; longer, the standby is dropped. */
    public static final Duration BUSY_BOUND = Duration.ofSeconds(5);

    private Verdict() {}

    /** What the control plane does next. */
    public enum Action {
        /** Nothing: the region is as it should be, or a change already under way will make it so. */
        NONE,
        /** The primary is lost or hung and a synchronous standby can take over: fence, promote. */
        FAIL_OVER,
        /** The primary is lost or hung and nothing can take over: kill it and start it again from its data. */
        RESTART_PRIMARY,
        /** The standby is lost or hung: drop it from synchronous replication (writes go on, unprotected), then bring it back. */
        DROP_STANDBY
    }

    /** What the topology is meant to be at this moment, from the control plane's own state. */
    public record Situation(Topology.Phase phase, Topology.Role standbyRole, boolean synchronous) {}

    /**
     * One look at the servers, as the control plane sees them through its own links. Times are
     * when something was last seen, or null when never; commitStuckSince is when the health
     * commit now in flight was sent, null when none is stuck. primaryWalMovedAt is when the
     * primary's own WAL position last moved, standbyWalMovedAt when the WAL the standby receives
     * last moved (what the standby sees of the primary), and standbyBehind whether the standby
     * had received less WAL than the primary had written, as the two last said.
     */
    public record Observation(Instant at, boolean primaryRunning, Instant primaryFrozenSince, Instant commitStuckSince,
                              boolean standbyRunning, Instant standbyLastAnswer, Instant standbyAskedSince, Instant primaryLastAnswer,
                              Instant primaryWalMovedAt, Instant standbyWalMovedAt, boolean standbyBehind) {
        Duration stuck() {
            return commitStuckSince == null ? Duration.ZERO : Duration.between(commitStuckSince, at);
        }

        boolean primaryFrozen() {
            return primaryFrozenSince != null && Duration.between(primaryFrozenSince, at).compareTo(FROZEN_BOUND) >= 0;
        }

        /** The standby answered after the commit got stuck: the fault is not on its side. */
        boolean standbyAnsweredSinceStuck() {
            return standbyLastAnswer != null && commitStuckSince != null && standbyLastAnswer.isAfter(commitStuckSince);
        }

        /**
         * The primary answered a question on a connection of its own after the commit got stuck,
         * and lately: it is alive and the control plane reaches it; its commit is slow or waits
         * for the standby. A primary whose backends are frozen, or that the control plane cannot
         * reach, answers nothing.
         */
        boolean primaryAnswers() {
            return recentlyAfterStuck(primaryLastAnswer);
        }

        /** The standby receives WAL, lately and since the commit got stuck: the primary is alive and writing, and replication flows. */
        boolean standbyReceives() {
            return recentlyAfterStuck(standbyWalMovedAt);
        }

        /** The primary's WAL moved after the commit got stuck, lately. */
        boolean primaryWalMoves() {
            return recentlyAfterStuck(primaryWalMovedAt);
        }

        private boolean recentlyAfterStuck(Instant t) {
            return t != null && commitStuckSince != null && t.isAfter(commitStuckSince) && Duration.between(t, at).compareTo(FROZEN_BOUND) < 0;
        }

        /** Gone, or a question to it unanswered for STANDBY_BOUND: to the control plane, at least. */
        boolean standbySilent() {
            return !standbyRunning || (standbyAskedSince != null && Duration.between(standbyAskedSince, at).compareTo(STANDBY_BOUND) >= 0);
        }
    }

    /** A failed change is tried again at most this often, not at every look. */
    public static final Duration RETRY_EVERY = Duration.ofMillis(500);
    /** The same cure asked again this soon means the first did not take: it is not asked again. */
    public static final Duration SAME_CURE_AGAIN = Duration.ofSeconds(1);

    /** What the monitor remembers of what it asked the topology thread: the last cure and when, the last retry. */
    public record Memory(Action lastAction, Instant lastActionAt, Instant lastRetryAt) {
        public static final Memory NONE = new Memory(Action.NONE, Instant.EPOCH, null);
    }

    /** What the monitor does with a verdict now: the change it hands on (NONE for none), whether it cuts a rebuild short, and what it remembers. */
    public record Gated(Action action, boolean abandonRebuild, Memory memory) {}

    /**
     * Whether a verdict goes on to the topology thread now, once per incident. A failed change is
     * tried again at most every {@link #RETRY_EVERY}. While a change is queued or running
     * (pending), nothing more is asked, except that a primary lost during a rebuild of its
     * standby cuts that rebuild short, once, and its cure is queued behind it (nothingToAbandon:
     * no rebuild runs now, whatever the phase still says, or it was cut short already). The same cure asked
     * again within {@link #SAME_CURE_AGAIN} is not asked again (no storm of changes and events),
     * unless it cuts a rebuild short.
     */
    public static Gated gate(Action verdict, Instant now, Topology.Phase phase, Action pending, boolean nothingToAbandon, Memory m) {
        if (verdict == Action.NONE) return new Gated(Action.NONE, false, m);
        Memory memory = m;
        if (phase == Topology.Phase.FAILED) {
            if (m.lastRetryAt() != null && Duration.between(m.lastRetryAt(), now).compareTo(RETRY_EVERY) < 0) return new Gated(Action.NONE, false, m);
            memory = new Memory(m.lastAction(), m.lastActionAt(), now);
        }
        boolean abandon = false;
        if (pending != null) {
            boolean urgent = verdict == Action.FAIL_OVER || verdict == Action.RESTART_PRIMARY;
            boolean rebuilding = phase == Topology.Phase.BUILDING_STANDBY || phase == Topology.Phase.REJOINING_STANDBY;
            if (!urgent || !rebuilding || nothingToAbandon) return new Gated(Action.NONE, false, memory);
            abandon = true;
        }
        if (!abandon && verdict == memory.lastAction() && Duration.between(memory.lastActionAt(), now).compareTo(SAME_CURE_AGAIN) < 0) {
            return new Gated(Action.NONE, false, memory);
        }
        return new Gated(verdict, abandon, new Memory(verdict, now, memory.lastRetryAt()));
    }

    /** The phases in which the monitor acts on a lost primary: the region ready, or its standby being rebuilt. */
    public static boolean watched(Topology.Phase phase) {
        return phase == Topology.Phase.READY || phase == Topology.Phase.BUILDING_STANDBY || phase == Topology.Phase.REJOINING_STANDBY;
    }

    public static Action of(Observation o, Situation s) {
        // A change that failed is tried again: the region repairs itself, as RDS does.
        if (s.phase() == Topology.Phase.FAILED) return Action.RESTART_PRIMARY;
        // While the region is created, or a failover or reboot runs, that change decides for
        // itself; a rebuild of the standby does not: the primary it copies from is still watched.
        if (!watched(s.phase())) return Action.NONE;
        boolean synchronousStandby = s.standbyRole() == Topology.Role.STANDBY && s.synchronous();
        boolean canTakeOver = synchronousStandby && s.phase() == Topology.Phase.READY && !o.standbySilent();
        if (!o.primaryRunning() || o.primaryFrozen()) return canTakeOver ? Action.FAIL_OVER : Action.RESTART_PRIMARY;
        // A standby whose process is gone or stopped is lost, whatever the commits say yet.
        if (synchronousStandby && !o.standbyRunning()) return Action.DROP_STANDBY;
        // Commits wait for the standby a rebuild is making synchronous: the rebuild watches that standby itself, and
        // fails (releasing the commits) if it is lost. Stuck commits are the primary's fault only if it answers nothing.
        boolean joining = s.standbyRole() == Topology.Role.BUILDING && s.synchronous();
        if (joining && (o.standbySilent() || o.primaryAnswers())) return Action.NONE;
        if (o.stuck().compareTo(COMMIT_BOUND) >= 0) {
            // A standby silent now is at fault (or cut off), even if it answered a moment after the commit got
            // stuck; told apart from a control plane cut off from both, which hears neither and decides nothing.
            if (synchronousStandby && o.standbySilent()) return o.primaryAnswers() ? Action.DROP_STANDBY : Action.NONE;
            if (synchronousStandby && o.primaryAnswers()) {
                // Both answer: the primary waits for a standby that has less WAL than it wrote and receives
                // nothing more. Replication between them is broken (the link cut, or its receiver gone): writes
                // go on without it at once, as with a lost standby; failing over would only move the break.
                if (o.standbyBehind() && !o.standbyReceives()) return Action.DROP_STANDBY;
                // Alive but slow: given time. Slow for long, the standby cannot keep up (writes go on without
                // it), or the primary's commits hang though it answers.
                if (o.stuck().compareTo(BUSY_BOUND) < 0) return Action.NONE;
                return o.standbyReceives() || o.primaryWalMoves() ? Action.DROP_STANDBY : Action.FAIL_OVER;
            }
            if (synchronousStandby && o.standbyAnsweredSinceStuck()) {
                // The primary answers the control plane nothing, yet its WAL still reaches the standby: it is alive and
                // serves its clients, and only the control plane's way to it is cut. Nothing to cure from here.
                if (o.standbyReceives()) return Action.NONE;
                return Action.FAIL_OVER;
            }
            if (!synchronousStandby && o.stuck().compareTo(ALONE_BOUND) >= 0) return Action.RESTART_PRIMARY;
            // Which side is at fault is not known yet: the standby's next answer, or its silence, will say.
            return Action.NONE;
        }
        // Commits complete, so a synchronous standby confirms every one: if it is silent, it is silent only to the
        // control plane, and dropping it would leave writes unprotected for nothing.
        return Action.NONE;
    }
}
