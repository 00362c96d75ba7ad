/* OpenPrimărie citizen portal: progressive enhancement only — every page
   works without it.  Loaded in <head> (no inline script: strict CSP). */
(function () {
  'use strict';
  var root = document.documentElement;
  root.className = (root.className ? root.className + ' ' : '') + 'js';

  function focusField(id) {
    var field = document.getElementById(id);
    if (!field) { return false; }
    var label = document.querySelector('label[for="' + id + '"]');
    field.focus({preventScroll: true});
    (label || field).scrollIntoView();
    return true;
  }

  function errorSummary() {
    var summary = document.getElementById('error-summary');
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener('click', function (event) {
      var link = event.target.closest('a[href^="#"]');
      if (link && focusField(link.getAttribute('href').slice(1))) {
        event.preventDefault();
      }
    });
  }

  /* The main menu on a small screen: a disclosure button (aria-expanded);
     without this script the menu is simply shown. */
  function menuButton() {
    var button = document.getElementById('menu-button');
    var menu = document.getElementById('main-menu');
    if (!button || !menu) { return; }
    button.hidden = false;
    button.setAttribute('aria-expanded', 'false');
    menu.classList.add('collapsible');
    button.addEventListener('click', function () {
      var open = button.getAttribute('aria-expanded') !== 'true';
      button.setAttribute('aria-expanded', open ? 'true' : 'false');
      menu.classList.toggle('open', open);
    });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape'
          && button.getAttribute('aria-expanded') === 'true') {
        button.setAttribute('aria-expanded', 'false');
        menu.classList.remove('open');
        button.focus();
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    errorSummary();
    menuButton();
  });
}());
