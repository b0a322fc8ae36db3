package io.github.stackfold.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * A build step, not part of the command: rewrites picocli's classes inside {@code flame.jar} from
 * Java 5 class files (version 49) into Java 8 ones (52) with stack map frames, instructions unchanged.
 *
 * <p>Why: a JDK 17 class-data archive keeps a Java 5 class but cannot verify it when the archive is
 * dumped, so every run verified all of picocli's classes it loaded with the old type-inferring
 * verifier (121 classes in a 100 KB collapse, {@code -Xlog:verification}). A class with frames is
 * verified once, when the launcher dumps its archive, and without an archive the JVM checks it with
 * the faster split verifier. Verification is not skipped either way.
 *
 * <p>How to run: {@code java -cp examples.jar:asm.jar io.github.stackfold.build.PicocliClassFiles
 * flame.jar} (Maven runs it after the shade plugin); the jar is rewritten in place, through a
 * temporary file. Entries keep their order and times.
 */
public final class PicocliClassFiles {
    private static final String PREFIX = "picocli/";

    private PicocliClassFiles() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: PicocliClassFiles FLAME_JAR");
        }
        Path jar = Path.of(args[0]);
        Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
        int rewritten;
        // frames need the common superclass of two types: the jar's own classes, then the JDK's
        try (URLClassLoader types = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
             InputStream in = Files.newInputStream(jar);
             OutputStream out = Files.newOutputStream(tmp)) {
            rewritten = rewrite(in, out, types);
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("PicocliClassFiles: " + rewritten + " picocli classes in " + jar + " rewritten as Java 8 class files with frames");
    }

    /**
     * Copies the jar {@code in} to {@code out}, picocli's classes rewritten; returns how many needed
     * it (0 for a jar this step already rewrote: Maven may run it again on a flame.jar left as it was).
     */
    static int rewrite(InputStream in, OutputStream out, ClassLoader types) throws IOException {
        int rewritten = 0;
        try (ZipInputStream zin = new ZipInputStream(in); ZipOutputStream zout = new ZipOutputStream(out)) {
            for (ZipEntry e; (e = zin.getNextEntry()) != null; ) {
                byte[] b = zin.readAllBytes();
                if (e.getName().startsWith(PREFIX) && e.getName().endsWith(".class")) {
                    byte[] upgraded = withFrames(b, types);
                    if (upgraded != b) {
                        rewritten++;
                        b = upgraded;
                    }
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                zout.putNextEntry(copy);
                zout.write(b);
                zout.closeEntry();
            }
        }
        return rewritten;
    }

    /** One class file at version 52 at least, its frames computed; already 50 or later: unchanged. */
    static byte[] withFrames(byte[] classFile, ClassLoader types) {
        ClassReader r = new ClassReader(classFile);
        if (r.readUnsignedShort(6) >= Opcodes.V1_6) { // the major version
            return classFile;
        }
        ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected ClassLoader getClassLoader() {
                return types;
            }
        };
        r.accept(new ClassVisitor(Opcodes.ASM9, w) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
            }
        }, ClassReader.SKIP_FRAMES);
        return w.toByteArray();
    }
}
