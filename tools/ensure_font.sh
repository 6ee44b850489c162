#!/usr/bin/env bash
# A Chinese font for the 中文 edition's figures: Debian's fonts-noto-cjk, when we may install it.
# Usage: tools/ensure_font.sh   (prints how to install it by hand otherwise; never fails)
set -u
if fc-list 2>/dev/null | grep -qi "Noto Sans CJK\|WenQuanYi\|Source Han Sans"; then exit 0; fi
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
    if [ "$sudo" != none ]; then
        echo "Installing Debian's fonts-noto-cjk (Chinese characters in figures) ..."
        $sudo apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 \
            || { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1; } \
            && exit 0
    fi
fi
echo "No Chinese font found, and none could be installed: figures in the 中文 edition will show"
echo "boxes. Install one (Debian/Ubuntu: sudo apt-get install fonts-noto-cjk), then rerun."
exit 0
