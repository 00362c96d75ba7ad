/* OpenPrimărie kiosk: on-screen numeric keypad, print button and the reset
   after inactivity.  Works with touch, mouse and a physical keyboard (the
   inputs stay ordinary inputs; a barcode reader types into them). */
(function () {
  'use strict';
  var root = document.getElementById('kiosk');
  if (!root) { return; }
  var idle = parseInt(root.getAttribute('data-idle'), 10) || 90;
  var resetUrl = root.getAttribute('data-reset');
  var timer = null;
  function arm() {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(function () {
      window.location.assign(resetUrl);
    }, idle * 1000);
  }
  ['pointerdown', 'touchstart', 'mousedown', 'keydown', 'input'].forEach(
    function (name) { document.addEventListener(name, arm, {passive: true}); });
  arm();

  var inputs = Array.prototype.slice.call(
    document.querySelectorAll('input[data-keypad]'));
  var target = inputs[0] || null;
  inputs.forEach(function (input) {
    input.addEventListener('focus', function () { target = input; });
  });
  document.querySelectorAll('[data-key]').forEach(function (button) {
    button.addEventListener('click', function () {
      if (!target) { return; }
      var key = button.getAttribute('data-key');
      if (key === 'back') {
        target.value = target.value.slice(0, -1);
      } else if (key === 'clear') {
        target.value = '';
      } else if (key === 'next') {
        var i = inputs.indexOf(target);
        target = inputs[(i + 1) % inputs.length];
      } else {
        target.value += key;
      }
      target.focus();
    });
  });
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () { window.print(); });
  });
}());
