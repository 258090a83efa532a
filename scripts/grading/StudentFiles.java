package grading;

//SOURCES ../common/Bundle.java ../common/Home.java ../common/Json.java ../common/Messages.java ../common/Problem.java ../recovery/Backups.java
//SOURCES Student.java

import common.Bundle;
import common.Home;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import recovery.Backups;

/** Reading a student's files: each a hostile input, and every failure a reason in the student's terms. */
public final class StudentFiles {
    private StudentFiles() {}


    /** A JSON file of the bundle as a record; missing or malformed, a reason naming it as the student knows it. */
    static <T> T read(Path root, String file, Class<T> type) {
        Path f = root.resolve(file);
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) throw Problem.failed("grade.file.missing", file);
        try {
            return Json.read(Files.readString(f, StandardCharsets.UTF_8), type);
        } catch (IOException | IllegalArgumentException e) {
            throw Problem.failed("grade.file.malformed", file, plain(e));
        }
    }

    static <T> T require(String file, String field, T value) {
        if (value == null || (value instanceof String s && s.isBlank())) throw Problem.failed("grade.file.field", file, field);
        return value;
    }

    static Instant time(String file, String field, String value) {
        require(file, field, value);
        try {
            return Instant.parse(value);
        } catch (RuntimeException e) {
            throw Problem.failed("grade.file.malformed", file, field + " \"" + Bundle.printable(value) + "\"");
        }
    }

    /** An exception's message without Java's class names, for a student to read. */
    static String plain(Exception e) {
        if (e instanceof java.nio.charset.CharacterCodingException) return Messages.get("grade.not-utf8");
        if (e instanceof java.io.EOFException) return Messages.get("grade.cut-short");
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return Bundle.printable(m.replaceAll("(?:[a-z0-9_]+\\.)+[A-Z]\\w*(?:Exception|Error): ?", "").replaceAll("not valid JSON for \\w+: ", ""));
    }

    /** A reason never shows where the grader unpacked the bundle. */
    static String scrub(String reason, Path scratch) {
        if (reason == null || scratch == null) return reason;
        return reason.replace(scratch.resolve("bundle").toAbsolutePath() + "/", "").replace(scratch.toAbsolutePath().toString(), "");
    }

    /** The backup files the bundle holds: only names the backup job writes, only plain files. */
    static List<Path> backupFiles(Path root) throws IOException {
        Path dir = root.resolve("pra-backup");
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return List.of();
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && Backups.isBackup(f.getFileName().toString())).sorted().toList();
        }
    }


    /** A student's answers (answers/maz.md, answers/pra.md), each beside the key's full text for it. */
    static List<Student.Answer> answers(Path root, String workshop) throws IOException {
        Map<String, String> given = Bundle.answerSections(root.resolve("answers/" + workshop + ".md"));
        Map<String, String> keys = keys(workshop);
        List<Student.Answer> answers = new ArrayList<>();
        for (Map.Entry<String, String> a : given.entrySet()) answers.add(new Student.Answer(workshop, a.getKey(), a.getValue(), keys.get(a.getKey())));
        return answers;
    }

    /** The instructor's key, in the same shape as the answers: solutions/<workshop>/answers.<lang>.md. */
    static Map<String, String> keys(String workshop) {
        try {
            return Bundle.answerSections(Home.kitFile("solutions/" + workshop + "/answers." + (Messages.french() ? "fr" : "en") + ".md"));
        } catch (Problem | IOException e) {
            // Without the kit's solutions, answers are shown without their keys.
            return Map.of();
        }
    }


}
