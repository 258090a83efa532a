import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import region.Region;

/** What a student meets when something is off: exit code 2, what happened, and what to do next. */
class LabErrorsTest {
    @TempDir Path home;

    @Test
    void noLabSaysHowToStartOne() {
        Kit.Result r = new Kit(home).run("lab", "status");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no lab in " + home) && r.err().contains("./jbang lab up"), r.err());
    }

    @Test
    void messagesAndHelpComeInFrench() {
        Kit kit = new Kit(home);
        Kit.Result r = kit.run("lab", "status", "--lang", "fr");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("aucun lab dans"), r.err());
        Kit.Result help = kit.run("lab", "--lang", "fr", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("région Multi-AZ locale"), help.out());
        Kit.Result upHelp = kit.run("lab", "up", "--help", "--lang=fr");
        assertTrue(upHelp.out().contains("Dossier contenant initdb"), upHelp.out());
    }

    @Test
    void aLabStartedByAnotherUserIsNotTouched() throws Exception {
        write(state(12345, Region.bootId(), 1));
        Kit.Result r = new Kit(home).run("lab", "down", "--purge");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("started by user \"someone\""), r.err());
        assertTrue(Files.exists(Kit.stateFile(home)), "nothing was deleted");
    }

    @Test
    void aStateFromBeforeARebootIsCalledStale() throws Exception {
        write(state(region.ServerAccount.currentUid(), "boot-before-restart", freePort()));
        Kit.Result r = new Kit(home).run("lab", "status");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("before this machine restarted"), r.err());
    }

    @Test
    void aRecordedPortTakenByAnotherProgramIsNamed() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            write(state(region.ServerAccount.currentUid(), "boot-before-restart", squatter.getLocalPort()));
            Kit.Result r = new Kit(home).run("lab", "up");
            assertEquals(2, r.exit(), r.all());
            assertTrue(r.err().contains("port " + squatter.getLocalPort()) && r.err().contains("taken"), r.err());
        }
    }

    /**
     * A control plane that dies as it starts (here on a link's port, taken since it was picked) is
     * noticed within seconds, where a hung one is given 15, and lab up says what it said last.
     */
    @Test
    void aControlPlaneThatDiesAsItStartsIsNamedWithWhatItSaidLast() throws Exception {
        Region.State state = state(region.ServerAccount.currentUid(), Region.bootId(), freePort());
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), state.nodes().get(0).controlPort()));
            write(state);
            Files.writeString(Kit.lab(home).resolve("password"), "a-password\n");
            long started = System.nanoTime();
            Kit.Result r = new Kit(home).run("lab", "up");
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertEquals(2, r.exit(), r.all());
            assertTrue(r.err().contains("stopped answering") && r.err().contains("BindException: Address already in use"), r.err());
            assertTrue(tookMs < 15_000, "a dead plane is not waited for as a hung one: " + tookMs + " ms");
        } finally {
            new Kit(home).run("lab", "down", "--purge");
        }
    }

    @Test
    void unusableBinariesAreNamedAndNothingIsLeftRunning() {
        Kit.Result r = new Kit(home).run("lab", "up", "--pg-bin", "/nonexistent/bin");
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains("no usable PostgreSQL in /nonexistent/bin"), r.err());
        assertFalse(Files.exists(Kit.stateFile(home)), "no half-made lab is left behind");
    }

    @Test
    void anUnreadableStateFileSaysHowToStartAfresh() throws Exception {
        Files.createDirectories(Kit.lab(home));
        Files.writeString(Kit.stateFile(home), "{ not json");
        Kit.Result r = new Kit(home).run("lab", "status");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("cannot be read") && r.err().contains("lab down --purge"), r.err());
    }

    @Test
    void aRegionWhoseHomeIsDeletedStopsAndANewLabThereIsLeftAlone() throws Exception {
        Kit kit = new Kit(home);
        assertEquals(0, kit.run("lab", "up").exit());
        Region.State first = Kit.state(home);
        long plane = first.controlPlanePid();
        try {
            // The worst moment: the folder deleted and a new lab made there at once, while the old plane still runs.
            common.FileTree.delete(home);
            Files.createDirectories(home);
            Kit.Result up = kit.run("lab", "up");
            assertEquals(0, up.exit(), up.all());
            assertFalse(region.Processes.alive(plane), "the old control plane is stopped, not left to restart servers in the new lab's folder");
            Region.State second = Kit.state(home);
            Thread.sleep(3000);
            Kit.Result status = kit.run("lab", "status");
            assertEquals(0, status.exit(), "the new lab is undisturbed (status exits 0 only when healthy): " + status.all());
            assertEquals(second.controlPlanePid(), Kit.state(home).controlPlanePid());
        } finally {
            kit.run("lab", "down", "--purge");
            ProcessHandle.of(plane).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * A change that fails while the region is created (here the new standby killed as it starts)
     * is tried again by the control plane by itself: lab up waits for that, says so, and succeeds.
     */
    @Test
    void aFailureWhileTheRegionIsCreatedIsTriedAgainAndLabUpWaitsForIt() throws Exception {
        Kit kit = new Kit(home);
        java.util.concurrent.CompletableFuture<Kit.Result> result = new java.util.concurrent.CompletableFuture<>();
        Thread up = new Thread(() -> result.complete(kit.run("lab", "up")));
        up.start();
        try {
            boolean struck = common.Wait.within(java.time.Duration.ofSeconds(60), java.time.Duration.ofMillis(5), () -> {
                if (!Files.exists(Kit.stateFile(home))) return false;
                Region.State state = Kit.state(home);
                Region.Status s = Region.status(state);
                if (s == null || s.phase() != region.Topology.Phase.BUILDING_STANDBY) return false;
                return region.Processes.killIn(Path.of(state.dataRoot(), s.standbyAz())) > 0;
            });
            assertTrue(struck, "the new standby was killed while the region was created");
            Kit.Result r = result.get(180, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(0, r.exit(), r.all());
            assertTrue(r.out().contains("the control plane tries again"), r.out());
            assertTrue(kit.status().healthy());
        } finally {
            up.join(180_000);
            kit.run("lab", "down", "--purge");
        }
    }

    @Test
    void aRegionStopsItselfWhenItsHomeIsDeletedAndTheNextLabTakesBackItsData(@TempDir Path elsewhere) throws Exception {
        Kit kit = new Kit(home);
        assertEquals(0, kit.run("lab", "up").exit());
        kit.ok("maz11", "replica", "--watch", "1");
        Region.State state = Kit.state(home);
        long plane = state.controlPlanePid();
        long otherRegion = ((Number) Json.read(Kit.lab(home).resolve("dr-region.json"), java.util.Map.class).get("pid")).longValue();
        // The replica's step starts an agent of its own, writing into the home's evidence.
        long agent = ((Number) Json.read(home.resolve("evidence/maz11/agent.json"), java.util.Map.class).get("pid")).longValue();
        Path data = Path.of(state.dataRoot());
        Path otherData = Path.of(state.dataRoot() + "-dr");
        Kit next = new Kit(elsewhere.resolve("home"));
        try {
            common.FileTree.delete(home);
            for (long pid : new long[] {plane, otherRegion, agent}) {
                assertTrue(common.Wait.within(java.time.Duration.ofSeconds(20), java.time.Duration.ofMillis(50), () -> !region.Processes.alive(pid)),
                        "nobody is left to stop a Region or an agent whose home is gone: each stops itself (pid " + pid + ")");
            }
            for (Path az : List.of(data.resolve("az1"), data.resolve("az2"), otherData.resolve("dr"))) {
                assertTrue(region.Processes.in(az).isEmpty(), "no server left in " + az);
            }
            // Root's labs keep their data outside the home (the server account cannot enter it): the next lab made takes it back.
            if (!data.startsWith(home)) {
                assertTrue(Files.exists(data), "the data stays until then");
                next.ok("lab", "up");
                assertFalse(Files.exists(data) || Files.exists(otherData), "a new lab took back the data of a home that is gone: " + data);
            }
        } finally {
            next.run("lab", "down", "--purge");
            for (long pid : new long[] {plane, otherRegion, agent}) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            for (Path d : List.of(data, otherData)) if (Files.exists(d)) common.FileTree.delete(d);
        }
    }

    private Region.State state(int uid, String bootId, int apiPort) {
        return new Region.State(uid, "someone", bootId, home.resolve("lab/data").toString(), "postgres", "/usr/lib/postgresql/15/bin", "15",
                apiPort, freePort(), List.of(new Region.NodeSpec("az1", freePort(), freePort(), freePort()), new Region.NodeSpec("az2", freePort(), freePort(), freePort())), "az1", null);
    }

    private void write(Region.State state) throws Exception {
        Files.createDirectories(Kit.lab(home));
        Json.writeAtomically(Kit.stateFile(home), state);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

}
