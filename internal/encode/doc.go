// Package encode compresses a rendered feed once into every content coding
// Herald serves (gzip, br, zstd), so that requests only ever pick stored
// bytes. It is the only importer of the compression libraries.
package encode
