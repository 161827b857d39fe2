#!/bin/sh
# Steward's standard base script for {{host}}: run by the installer after the base image is
# written. It names the host, installs the Kubernetes node packages pinned by the site's apt
# repository and leaves the host to rejoin its cluster with kubeadm on first boot.
set -eu
hostnamectl set-hostname '{{host}}'
apt-get update -q
apt-get install -y -q containerd kubelet kubeadm
apt-mark hold kubelet kubeadm
systemctl enable containerd kubelet
