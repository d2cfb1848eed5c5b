package importer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// job is one file the run will report on: to be parsed, or skipped or
// failed already while walking.
type job struct {
	path string
	skip string // reason the file is skipped; "" to parse it
	err  error  // a failure found while walking
}

// collect expands the arguments into the run's files: a file stands for
// itself, a folder for every file beneath it in lexical order, so that two
// runs over the same tree print the same lines. Hidden files and folders
// (a name starting with ".") inside a folder are passed over silently:
// they are version-control and editor bookkeeping, not articles. Inside a
// folder, files of unknown types and README files (which describe a folder
// of articles rather than being one) are skipped with a reason; a file
// named explicitly is parsed regardless and fails if its type is unknown.
func collect(paths []string) []job {
	var jobs []job
	seen := map[string]bool{}
	add := func(j job) {
		key := filepath.Clean(j.path)
		if seen[key] {
			return
		}
		seen[key] = true
		jobs = append(jobs, j)
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			add(job{path: root, err: statError(err)})
			continue
		}
		if !info.IsDir() {
			if !info.Mode().IsRegular() {
				// A pipe or a device would block the read, or never end.
				add(job{path: root, err: errors.New("not a regular file")})
				continue
			}
			add(job{path: root})
			continue
		}
		walkErr := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				add(job{path: path, err: statError(err)})
				if d != nil && d.IsDir() && path != root {
					return fs.SkipDir
				}
				return nil
			}
			if path != root && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			add(classify(path, d))
			return nil
		})
		if walkErr != nil {
			add(job{path: root, err: walkErr})
		}
	}
	return jobs
}

// classify decides what to do with a file met while walking a folder.
func classify(path string, d fs.DirEntry) job {
	if d.Type()&fs.ModeSymlink != 0 {
		// WalkDir does not follow links; a link to a file is read like the
		// file, a link to a folder is not entered, which also rules out loops.
		info, err := os.Stat(path)
		if err != nil {
			return job{path: path, err: statError(err)}
		}
		if info.IsDir() {
			return job{path: path, skip: "link to a folder, not followed"}
		}
		if !info.Mode().IsRegular() {
			return job{path: path, skip: "not a regular file"}
		}
	} else if !d.Type().IsRegular() {
		return job{path: path, skip: "not a regular file"}
	}
	if !Supported(path) {
		ext := filepath.Ext(path)
		if ext == "" {
			return job{path: path, skip: "no file extension"}
		}
		return job{path: path, skip: fmt.Sprintf("%s is not an importable file type", ext)}
	}
	if isReadme(path) {
		return job{path: path, skip: "a README describes its folder; name it explicitly to import it"}
	}
	return job{path: path}
}

// statError shortens the common "no such file" error, whose *PathError
// repeats the path the output line already shows.
func statError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// isReadme reports whether path is a README in any format.
func isReadme(path string) bool {
	base := filepath.Base(path)
	return strings.EqualFold(strings.TrimSuffix(base, filepath.Ext(base)), "readme")
}
