#!/usr/bin/env bash
# Builds db007/pra-app:1.0 from this repository and loads it into a local cluster.
#   k8s/build-image.sh            build with docker (or podman)
#   k8s/build-image.sh k3d        ... and import it into the k3d cluster "k3s-default"
#   k8s/build-image.sh kind       ... and load it into the kind cluster "kind"
#   k8s/build-image.sh minikube   ... and load it into minikube
set -euo pipefail
cd "$(dirname "$0")/.."
engine=$(command -v docker || command -v podman || true)
[ -n "$engine" ] || { echo "build-image: docker or podman is needed to build the image" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mvn -q -B -DskipTests compile dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$work/lib"
cp -r target/classes "$work/classes"
cp k8s/Dockerfile "$work/"
"$engine" build -t db007/pra-app:1.0 "$work"
case "${1:-}" in
  k3d) k3d image import db007/pra-app:1.0 ;;
  kind) kind load docker-image db007/pra-app:1.0 ;;
  minikube) minikube image load db007/pra-app:1.0 ;;
  "") ;;
  *) echo "build-image: unknown cluster kind '$1' (k3d, kind or minikube)" >&2; exit 2 ;;
esac
echo "db007/pra-app:1.0 is built${1:+ and loaded into $1}."
