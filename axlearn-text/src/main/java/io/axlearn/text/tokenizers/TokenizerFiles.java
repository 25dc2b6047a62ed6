package io.axlearn.text.tokenizers;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.axlearn.core.config.ConfigException;
import io.axlearn.text.input.TextFiles;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads tokenizer files: a file path or a class-path resource written {@code classpath:...} ({@code
 * .gz} decompressed), as for corpora ({@link TextFiles}). Every failure is a {@link
 * ConfigException} whose message names the config field and the file.
 */
final class TokenizerFiles {
    private TokenizerFiles() {}

    /** The bytes of the file at {@code location}, named by config field {@code configPath}. */
    static byte[] bytes(String location, String configPath) {
        if (!location.startsWith(TextFiles.CLASSPATH) && Files.isDirectory(Path.of(location))) {
            throw new ConfigException(configPath + ": " + location + " is a folder, not a file");
        }
        return TextFiles.read(location, configPath);
    }

    /** The file at {@code location} as UTF-8 text. */
    static String text(String location, String configPath) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes(location, configPath)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(configPath + ": " + location + " is not UTF-8 text");
        }
    }

    /**
     * The id of {@code token} in {@code vocab}, else an error naming config field {@code
     * configPath} and the vocabulary file.
     */
    static int requireToken(
            Map<String, Integer> vocab, String token, String configPath, String location) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new ConfigException(configPath + ": '" + token + "' is not in " + location);
        }
        return id;
    }

    /** An error for JSON the parser rejected, naming the file, line and column. */
    static ConfigException malformedJson(
            String configPath, String location, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        return new ConfigException(
                configPath
                        + ": "
                        + location
                        + " line "
                        + (at == null ? "?" : at.getLineNr())
                        + " column "
                        + (at == null ? "?" : at.getColumnNr())
                        + ": malformed JSON: "
                        + e.getOriginalMessage());
    }

    /** An error about line {@code line} (from 1) of the file. */
    static ConfigException badLine(String configPath, String location, int line, String problem) {
        return new ConfigException(configPath + ": " + location + " line " + line + ": " + problem);
    }
}
