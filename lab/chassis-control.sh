#!/bin/sh
# A lab host's chassis: ipmi_sim's chassis_control program (lab/README.md, "Bare metal").
# Called as `chassis-control.sh <bmc folder> get power|boot` or `... set <parm> <value>`.
# ipmi_sim is single-threaded and waits for every call, so this stays fast: shell builtins only,
# one `date` per logged command. The folder holds the state (power, boot, boots, last-boot),
# the command log power.log that the host physics and tests read, and the fault switches.
d="$1"
op="$2"
parm="$3"
value="$4"

# Fault `hung`: the BMC stops answering while the switch is set (at most 10 minutes).
i=0
while [ -e "$d/faults/hung" ] && [ "$i" -lt 6000 ]; do
  sleep 0.1
  i=$((i + 1))
done

log() {
  echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $op $parm $value => $1" >>"$d/power.log"
}

# A boot consumes the boot device (IPMI boot flags apply to the next boot only): the BMC clears
# the flags' valid bit (the file boot-used) and shows "No override" again, or, with the fault
# keeps-boot-device, keeps showing the device it no longer applies, as many real BMCs do. The boot
# count is written last: the host physics plays a boot once it sees the count grow.
boot_host() {
  read -r boots <"$d/boots"
  if [ "$boot" = pxe ] && [ ! -e "$d/boot-used" ]; then used=pxe; else used=disk; fi
  echo "$used" >"$d/last-boot"
  if [ -e "$d/faults/keeps-boot-device" ]; then : >"$d/boot-used"; else echo none >"$d/boot"; fi
  echo $((boots + 1)) >"$d/boots"
  log "$1 boot=$used"
}

read -r power <"$d/power"
read -r boot <"$d/boot"

case "$op $parm" in
  "get power") echo "power:$power" ;;
  "get boot") echo "boot:$boot" ;;
  "set power" | "set reset" | "set shutdown")
    if [ -e "$d/faults/fail-power" ]; then
      rm -f "$d/faults/fail-power"
      log "failed (fault fail-power)"
      echo "fault fail-power"
      exit 1
    fi
    case "$parm $value $power" in
      "power 1 0")
        echo 1 >"$d/power"
        boot_host on
        ;;
      "power 0 1" | "shutdown 1 1")
        echo 0 >"$d/power"
        log off
        ;;
      "reset 1 1") boot_host reset ;;
      *) log unchanged ;;
    esac
    ;;
  "set boot")
    if [ -e "$d/faults/refuse-boot" ]; then
      log "refused (fault refuse-boot)"
      echo "boot device refused"
      exit 1
    fi
    echo "$value" >"$d/boot"
    rm -f "$d/boot-used"
    log "boot=$value"
    ;;
  "set identify") ;;
  *)
    echo "unsupported: $op $parm"
    exit 1
    ;;
esac
